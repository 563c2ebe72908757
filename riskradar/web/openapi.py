"""The OpenAPI 3.0 document of /api/v1, written by hand; a test checks it against the URL map."""

from __future__ import annotations

from typing import Any

from riskradar.domain.base import AGREEMENT_STATUSES, ALERT_STATUSES, CLASSIFIER_LABELS, RED_LINES, RISK_TIERS

MAX_ID = 2**63 - 1
STR = {"type": "string"}
NSTR = {"type": "string", "nullable": True}
NNUM = {"type": "number", "nullable": True}
NINT = {"type": "integer", "nullable": True}
OBJ = {"type": "object", "additionalProperties": True}
ARR = {"type": "array", "items": {}}
ERR = {"$ref": "#/components/responses/Error"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": True}
    if required:
        schema["required"] = required
    return schema


def _page(item_ref: str) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_ref}"}},
                 "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}},
                ["items", "page", "per_page", "total"])


def _items(item_ref: str) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_ref}"}}}, ["items"])


def _q(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


PAGING = [_q("page", {"type": "integer", "minimum": 1, "maximum": 1000000}),
          _q("per_page", {"type": "integer", "minimum": 1, "maximum": 200})]
SUPPLIER_FILTERS = [
    _q("country", {"type": "string", "maxLength": 80}, "ISO 3166 alpha-2 code (or a country name)"),
    _q("region", {"type": "string", "maxLength": 200}), _q("industry", {"type": "string", "maxLength": 200}),
    _q("tier", {"type": "string", "enum": list(RISK_TIERS)}),
    _q("q", {"type": "string", "maxLength": 200}, "search in names and reference"),
    _q("lb", {"type": "integer", "minimum": 1, "maximum": 5}, "risk-map likelihood band"),
    _q("ib", {"type": "integer", "minimum": 1, "maximum": 5}, "risk-map impact band"),
]
REF = _path("ref", {"type": "string", "minLength": 1, "maxLength": 64})


def _op(summary: str, response: dict[str, Any] | None, *, params: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None, status: str = "200", roles: str = "any role",
        multipart: dict[str, Any] | None = None, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "description": f"Roles: {roles}.", "parameters": params or []}
    responses: dict[str, Any] = {}
    if response is None:
        responses[status] = {"description": "done"}
    else:
        responses[status] = {"description": "OK", "content": {"application/json": {"schema": response}}}
    for code in ("400", "401", "403", *extra):
        responses[code] = ERR
    op["responses"] = responses
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if multipart is not None:
        op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": multipart}}}
    return op


def build_openapi(base_url: str = "") -> dict[str, Any]:
    """The OpenAPI document (servers point at ``base_url``)."""
    ref = lambda name: {"$ref": f"#/components/schemas/{name}"}  # noqa: E731
    paths: dict[str, Any] = {
        "/me": {"get": _op("The authenticated user", ref("Me"))},
        "/suppliers": {"get": _op("List suppliers", _page("Supplier"), params=PAGING + SUPPLIER_FILTERS + [
            _q("sort", {"type": "string", "enum": ["name", "-name", "ref", "-ref", "score", "-score", "country",
                                                   "-country", "spend", "-spend"]})])},
        "/suppliers/{ref}": {"get": _op("Supplier detail with latest risk", ref("SupplierDetail"), params=[REF],
                                        extra=("404",))},
        "/suppliers/{ref}/history": {"get": _op("Risk history", _items("Snapshot"), extra=("404",), params=[
            REF, _q("limit", {"type": "integer", "minimum": 1, "maximum": 1000})])},
        "/suppliers/{ref}/audits": {"get": _op("Audits with findings", _items("Audit"), params=[REF], extra=("404",))},
        "/suppliers/{ref}/agreement": {"put": _op(
            "Create or update the CSR agreement", ref("Agreement"), params=[REF], roles="admin, procurement",
            extra=("404", "503"),
            body=_obj({"version": STR, "status": {"type": "string", "enum": list(AGREEMENT_STATUSES)},
                       "signed_date": {"type": "string", "format": "date"},
                       "expiry_date": {"type": "string", "format": "date"},
                       "clauses_acknowledged": {"type": "array", "items": {"type": "string", "enum": list(RED_LINES)}},
                       "training_completed": {"type": "boolean"}}))},
        "/score": {"post": _op("Run scoring (incremental, or full)", ref("ScoringRun"), roles="admin, procurement",
                               extra=("503",), body=_obj({"full": {"type": "boolean"}}))},
        "/dashboard": {"get": _op("Dashboard figures", OBJ, params=SUPPLIER_FILTERS[:4] + [
            _q("category", {"type": "string", "enum": list(CLASSIFIER_LABELS)}),
            _q("from", {"type": "string", "format": "date"}), _q("to", {"type": "string", "format": "date"})])},
        "/agreements": {"get": _op("List agreements", _page("Agreement"), extra=("404",), params=PAGING + [
            _q("status", {"type": "string", "enum": list(AGREEMENT_STATUSES)}),
            _q("supplier", {"type": "string", "maxLength": 64})])},
        "/feeds": {
            "get": _op("List feeds", _items("Feed")),
            "post": _op("Register a feed", ref("Feed"), status="201", roles="admin, csr_lead", extra=("503",),
                        body=_obj({"url": {"type": "string", "maxLength": 2048}, "name": STR,
                                   "lang": {"type": "string", "enum": ["zh", "en"]},
                                   "credibility": {"type": "number", "minimum": 0, "maximum": 1},
                                   "poll_interval_minutes": {"type": "integer", "minimum": 1, "maximum": 10080}},
                                  ["url"])),
        },
        "/feeds/{feed_id}": {"delete": _op("Remove a feed", None, status="204", roles="admin, csr_lead",
                                           params=[_path("feed_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID})],
                                           extra=("404", "503"))},
        "/articles": {"get": _op("List articles with tags and supplier links", _page("Article"), extra=("404",),
                                 params=PAGING + [_q("label", {"type": "string", "enum": list(CLASSIFIER_LABELS)}),
                                                  _q("supplier", {"type": "string", "maxLength": 64}),
                                                  _q("since", {"type": "string", "format": "date"})])},
        "/alerts": {"get": _op("List alerts", _page("Alert"), params=PAGING + [
            _q("status", {"type": "string", "enum": list(ALERT_STATUSES)}),
            _q("category", STR), _q("supplier_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID})])},
        "/alerts/{alert_id}": {"get": _op("Alert with sources and history", ref("AlertDetail"), extra=("404",),
                                          params=[_path("alert_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID})])},
        "/alerts/{alert_id}/{action}": {"post": _op(
            "Triage an alert", ref("AlertDetail"), roles="admin, csr_lead", extra=("404", "503"),
            params=[_path("alert_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID}),
                    _path("action", {"type": "string", "enum": ["acknowledge", "assign", "comment", "confirm",
                                                                "dismiss", "resolve"]})],
            body=_obj({"note": {"type": "string", "maxLength": 4000}, "assignee": STR}))},
        "/channels": {
            "get": _op("List alert channels", _items("Channel"), roles="admin"),
            "post": _op("Add an alert channel", ref("Channel"), status="201", roles="admin", extra=("503",),
                        body=_obj({"kind": {"type": "string", "enum": ["email", "webhook", "wecom", "dingtalk",
                                                                       "feishu", "slack"]},
                                   "target": {"type": "string", "maxLength": 2048}, "name": STR, "secret": STR,
                                   "language": {"type": "string", "enum": ["zh", "en"]}}, ["kind", "target"])),
        },
        "/check": {"post": _op("Onboarding check of a vendor", ref("CheckResult"),
                               roles="admin, procurement, buyer, csr_lead", extra=("503",),
                               body=_obj({"name": {"type": "string", "maxLength": 255},
                                          "country": {"type": "string", "maxLength": 80},
                                          "industry": {"type": "string", "maxLength": 64}}, ["name"]))},
        "/imports": {
            "get": _op("List import batches", _page("ImportBatch"), roles="admin, procurement", params=PAGING + [
                _q("kind", {"type": "string", "enum": ["suppliers", "audits", "agreements"]})]),
            "post": _op("Upload a file to import", ref("ImportBatch"), status="201", roles="admin, procurement",
                        extra=("413", "503"),
                        multipart=_obj({"kind": {"type": "string", "enum": ["suppliers", "audits", "agreements"]},
                                        "file": {"type": "string", "format": "binary"}}, ["kind", "file"])),
        },
        "/imports/{batch_id}": {"get": _op("Import batch report", ref("ImportBatch"), roles="admin, procurement",
                                           params=[_path("batch_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID})],
                                           extra=("404",))},
        "/jobs": {"get": _op("Recent job runs", _items("JobRun"), roles="admin", params=[
            _q("job", {"type": "string", "maxLength": 64}), _q("limit", {"type": "integer", "minimum": 1, "maximum": 500})])},
    }
    schemas = {
        "Error": _obj({"error": _obj({"code": STR, "message": STR, "details": {"nullable": True}}, ["code", "message"])},
                      ["error"]),
        "Me": _obj({"id": {"type": "integer"}, "username": STR, "role": STR, "language": STR}),
        "Supplier": _obj({"id": {"type": "integer"}, "ref": STR, "name_zh": NSTR, "name_en": NSTR, "country": STR,
                          "region": NSTR, "industry": NSTR, "annual_spend": NNUM, "risk_score": NNUM,
                          "risk_tier": NSTR, "tier_level": {"type": "integer"}}, ["id", "ref", "country"]),
        "SupplierDetail": {"allOf": [{"$ref": "#/components/schemas/Supplier"}, _obj({
            "risk": {"nullable": True, **OBJ}, "tier_actions": {"nullable": True, **ARR},
            "agreement": {"nullable": True, **OBJ}})]},
        "Snapshot": _obj({"computed_at": STR, "score": {"type": "number"}, "tier": STR, "previous_tier": NSTR,
                          "likelihood_band": {"type": "integer"}, "impact_band": {"type": "integer"}, "reasons": ARR}),
        "Audit": _obj({"id": {"type": "integer"}, "scheme": STR, "audit_date": STR, "grade": NSTR, "result": NSTR,
                       "findings": ARR}),
        "Agreement": _obj({"id": {"type": "integer"}, "supplier_id": {"type": "integer"}, "version": STR, "status": STR,
                           "signed_date": NSTR, "expiry_date": NSTR, "clauses_acknowledged": ARR,
                           "missing_clauses": ARR}),
        "ScoringRun": _obj({"run_id": {"type": "integer"}, "full": {"type": "boolean"},
                            "suppliers_scored": {"type": "integer"}, "tier_changes": {"type": "integer"}}),
        "Feed": _obj({"id": {"type": "integer"}, "url": STR, "name": STR, "last_error": NSTR,
                      "enabled": {"type": "boolean"}}),
        "Article": _obj({"id": {"type": "integer"}, "title": STR, "url": NSTR, "published_at": NSTR,
                         "tags": ARR, "links": ARR}),
        "Alert": _obj({"id": {"type": "integer"}, "supplier_id": NINT, "category": STR, "status": STR, "title": STR,
                       "source_count": {"type": "integer"}}),
        "AlertDetail": {"allOf": [{"$ref": "#/components/schemas/Alert"}, _obj({"sources": ARR, "history": ARR,
                                                                                "evidence": ARR})]},
        "Channel": _obj({"id": {"type": "integer"}, "kind": STR, "target": STR, "enabled": {"type": "boolean"}}),
        "CheckResult": _obj({"decision": {"type": "string", "enum": ["approve", "conditional", "reject"]},
                             "reasons": ARR, "conditions": ARR, "matches": ARR}, ["decision"]),
        "ImportBatch": _obj({"batch_id": {"type": "integer"}, "kind": STR, "file": STR, "status": STR,
                             "rows_total": {"type": "integer"}, "rejected": {"type": "integer"}, "errors": ARR}),
        "JobRun": _obj({"id": {"type": "integer"}, "job": STR, "status": STR, "started_at": STR, "counts": OBJ,
                        "error": NSTR}),
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "RiskRadar API", "version": "1",
                 "description": "Supplier CSR risk monitoring. Authenticate with the session cookie (send the "
                                "X-CSRFToken header on writes) or 'Authorization: Bearer <token>' from "
                                "`riskradar users token`. Errors: {\"error\": {\"code\", \"message\", \"details\"}}."},
        "servers": [{"url": (base_url.rstrip("/") if base_url else "") + "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Error": {"description": "Error", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
    }
