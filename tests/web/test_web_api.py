"""The JSON API: pagination, filters, bad parameters (400 with a clear message), writes through
the other modules' services, and the OpenAPI document matching the routes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from riskradar.db import Database
from riskradar.domain import Agreement, Alert, ImportBatch, Supplier


@pytest.fixture
def api(app: Flask, seeded: dict[str, Any]) -> Any:
    """Call the API as a role with its bearer token."""
    client = app.test_client()

    def call(method: str, path: str, role: str = "admin", **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {seeded['tokens'][role]}", **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)
    return call


BAD_PARAMETERS = [
    ("/api/v1/suppliers?page=0", "page"),
    ("/api/v1/suppliers?page=abc", "must be an integer"),
    ("/api/v1/suppliers?per_page=1000", "per_page"),
    ("/api/v1/suppliers?tier=purple", "tier"),
    ("/api/v1/suppliers?sort=colour", "sort"),
    ("/api/v1/suppliers?lb=9", "lb"),
    ("/api/v1/suppliers?country=Atlantis", "country"),
    ("/api/v1/suppliers?q=" + "x" * 300, "longer than"),
    ("/api/v1/dashboard?from=2024-13-01", "YYYY-MM-DD"),
    ("/api/v1/dashboard?from=2024-05-01&to=2024-01-01", "after"),
    ("/api/v1/dashboard?category=gossip", "category"),
    ("/api/v1/alerts?status=sleeping", "status"),
    ("/api/v1/articles?since=yesterday", "since"),
    ("/api/v1/agreements?status=maybe", "status"),
    ("/api/v1/jobs?limit=-1", "limit"),
    ("/api/v1/imports?kind=invoices", "kind"),
    ("/?tier=purple", "tier"),
    ("/suppliers?page=-3", "page"),
    ("/alerts?category=nope", "category"),
]


@pytest.mark.parametrize("path,needle", BAD_PARAMETERS)
def test_bad_parameters_get_400_with_a_clear_message(api: Any, login_as: Any, path: str, needle: str) -> None:
    if path.startswith("/api/"):
        response = api("GET", path)
        body = response.get_json()
        assert response.status_code == 400, body
        assert body["error"]["code"] == "bad_request" and needle in body["error"]["message"]
    else:
        response = login_as("admin").get(path)
        assert response.status_code == 400 and needle in response.get_data(as_text=True)


BAD_BODIES = [
    ("POST", "/api/v1/check", {"data": "not json", "content_type": "text/plain"}, "JSON object"),
    ("POST", "/api/v1/check", {"json": {"name": ""}}, "name"),
    ("POST", "/api/v1/check", {"json": ["Acme"]}, "JSON object"),
    ("POST", "/api/v1/score", {"json": {"full": "yes"}}, "full"),
    ("POST", "/api/v1/feeds", {"json": {"url": "javascript:alert(1)"}}, ""),
    ("POST", "/api/v1/feeds", {"json": {"url": "https://x.example/rss", "credibility": "high"}}, "credibility"),
    ("POST", "/api/v1/channels", {"json": {"kind": "pigeon", "target": "x"}}, "kind"),
    ("PUT", "/api/v1/suppliers/S0001/agreement", {"json": {"status": "signed"}}, "signed_date"),
    ("PUT", "/api/v1/suppliers/S0001/agreement", {"json": {"status": "nonsense"}}, ""),
    ("POST", "/api/v1/alerts/1/comment", {"json": {}}, "note"),
    ("POST", "/api/v1/alerts/1/assign", {"json": {"assignee": "nobody"}}, "nobody"),
    ("POST", "/api/v1/imports", {"data": {"kind": "suppliers"}, "content_type": "multipart/form-data"}, "file"),
    ("POST", "/api/v1/imports", {"data": {"kind": "suppliers", "file": (io.BytesIO(b"x"), "evil.exe")},
                                 "content_type": "multipart/form-data"}, "expected one of"),
]


@pytest.mark.parametrize("method,path,kwargs,needle", BAD_BODIES, ids=[f"{m} {p} {n}" for m, p, _, n in BAD_BODIES])
def test_bad_bodies_get_400_never_500(api: Any, method: str, path: str, kwargs: dict[str, Any], needle: str) -> None:
    response = api(method, path, **kwargs)
    body = response.get_json()
    assert response.status_code == 400, body
    assert set(body["error"]) == {"code", "message", "details"}
    assert needle in body["error"]["message"]


def test_unknown_things_get_404_json(api: Any) -> None:
    for path in ("/api/v1/suppliers/NOPE", "/api/v1/alerts/99999", "/api/v1/imports/99999", "/api/v1/nothing"):
        response = api("GET", path)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", path
    assert api("DELETE", "/api/v1/feeds/99999").status_code == 404
    assert api("POST", "/api/v1/alerts/1/explode").status_code == 404
    wrong_method = api("DELETE", "/api/v1/suppliers")
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"]["code"] == "method_not_allowed"


def test_supplier_list_paginates_and_filters(api: Any) -> None:
    body = api("GET", "/api/v1/suppliers?per_page=5&page=2&country=CN").get_json()
    assert body["page"] == 2 and body["per_page"] == 5 and len(body["items"]) == 5
    assert body["total"] > 5 and {i["country"] for i in body["items"]} == {"CN"}
    detail = api("GET", f"/api/v1/suppliers/{body['items'][0]['ref']}").get_json()
    assert detail["risk"]["reasons"] and detail["risk"]["likelihood_band"] in range(1, 6)
    history = api("GET", f"/api/v1/suppliers/{body['items'][0]['ref']}/history").get_json()["items"]
    assert len(history) == 2 and history[0]["computed_at"] > history[1]["computed_at"]
    audits = api("GET", "/api/v1/suppliers/S0000/audits").get_json()["items"]
    assert audits[0]["findings"][0]["overdue"] is True


def test_articles_come_with_tags_evidence_and_links(api: Any) -> None:
    body = api("GET", "/api/v1/articles?label=fire&per_page=50").get_json()
    assert body["total"] > 0
    for item in body["items"]:
        assert any(t["label"] == "fire" and t["evidence"] for t in item["tags"])
        assert item["links"]


def test_put_agreement_uses_the_agreements_service(api: Any, db: Database) -> None:
    response = api("PUT", "/api/v1/suppliers/S0003/agreement",
                   json={"version": "2025", "status": "signed", "signed_date": "2025-01-02",
                         "expiry_date": "2027-01-01", "clauses_acknowledged": ["child_labour", "fire"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["missing_clauses"] == ["forced_labour", "bribery"]
    with db.scope() as s:
        supplier = s.scalar(select(Supplier).where(Supplier.external_ref == "S0003"))
        assert s.scalar(select(Agreement).where(Agreement.supplier_id == supplier.id, Agreement.version == "2025"))
        assert supplier.needs_rescore


def test_score_run_through_the_api(api: Any) -> None:
    assert api("POST", "/api/v1/score", role="viewer", json={}).status_code == 403
    response = api("POST", "/api/v1/score", role="procurement", json={"full": True})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["suppliers_scored"] == 48


def test_alert_triage_through_the_api_with_history(api: Any, seeded: dict[str, Any], db: Database) -> None:
    alert_id = seeded["alert_ids"][1]
    assert api("POST", f"/api/v1/alerts/{alert_id}/acknowledge", role="csr_lead").status_code == 200
    assigned = api("POST", f"/api/v1/alerts/{alert_id}/assign", role="csr_lead", json={"assignee": "procurement"})
    assert assigned.status_code == 200
    commented = api("POST", f"/api/v1/alerts/{alert_id}/comment", role="csr_lead", json={"note": "called the plant"})
    body = commented.get_json()
    actions = [h["action"] for h in body["history"]]
    assert actions[-3:] == ["acknowledged", "assigned", "commented"]
    assert body["history"][-1]["note"] == "called the plant"
    again = api("POST", f"/api/v1/alerts/{alert_id}/acknowledge", role="csr_lead")
    assert again.status_code == 400 and "acknowledged" in again.get_json()["error"]["message"]
    dismissed = api("POST", f"/api/v1/alerts/{alert_id}/dismiss", role="csr_lead", json={"note": "other company"})
    assert dismissed.status_code == 200 and dismissed.get_json()["status"] == "dismissed"
    with db.scope() as s:
        assert s.get(Alert, alert_id).status == "dismissed"
    listed = api("GET", "/api/v1/alerts?status=dismissed").get_json()
    assert [a["id"] for a in listed["items"]] == [alert_id]


def test_feed_and_channel_management_through_the_api(api: Any) -> None:
    created = api("POST", "/api/v1/feeds", role="csr_lead", json={"url": "https://news.example.com/a.xml", "lang": "zh"})
    assert created.status_code == 201, created.get_json()
    feed_id = created.get_json()["id"]
    assert feed_id in [f["id"] for f in api("GET", "/api/v1/feeds").get_json()["items"]]
    duplicate = api("POST", "/api/v1/feeds", role="csr_lead", json={"url": "https://news.example.com/a.xml"})
    assert duplicate.status_code == 400 and "already" in duplicate.get_json()["error"]["message"]
    assert api("DELETE", f"/api/v1/feeds/{feed_id}", role="csr_lead").status_code == 204
    channel = api("POST", "/api/v1/channels", json={"kind": "webhook", "target": "https://hooks.example.com/x",
                                                    "secret": "s3cret"})
    assert channel.status_code == 201, channel.get_json()
    listed = api("GET", "/api/v1/channels").get_json()["items"]
    assert listed[0]["has_secret"] is True and "secret" not in listed[0]


def test_onboarding_check_through_the_api(api: Any) -> None:
    response = api("POST", "/api/v1/check", role="buyer",
                   json={"name": "Huasheng Electronics 00 Co., Ltd.", "country": "CN", "industry": "electronics"})
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["decision"] in ("approve", "conditional", "reject") and body["reasons"] is not None
    assert any(m.get("external_ref") == "S0000" for m in body["matches"])


def test_upload_a_supplier_file_and_read_its_batch_report(api: Any, db: Database) -> None:
    content = ("supplier id,name,country,industry,annual spend\n"
               "N001,新供应商电子有限公司,CN,electronics,1000\n"
               "N002,Broken Row Ltd,Atlantis,textiles,5\n").encode("utf-8")
    response = api("POST", "/api/v1/imports", role="procurement",
                   data={"kind": "suppliers", "file": (io.BytesIO(content), "new.csv")},
                   content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["created"] == 1 and body["rejected"] == 1 and body["errors"][0]["row"] == 3
    report = api("GET", f"/api/v1/imports/{body['batch_id']}", role="procurement").get_json()
    assert report["sha256"] == body["sha256"]
    with db.scope() as s:
        assert s.get(ImportBatch, body["batch_id"]).source == "api"
        assert s.scalar(select(Supplier).where(Supplier.external_ref == "N001")) is not None
    not_a_table = api("POST", "/api/v1/imports", role="procurement",
                      data={"kind": "suppliers", "file": (io.BytesIO(b"\x00\x01PK garbage"), "x.xlsx")},
                      content_type="multipart/form-data")
    assert not_a_table.status_code == 400


def test_openapi_document_matches_the_routes(app: Flask) -> None:
    import re

    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    actual = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            actual |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == actual


def test_name_search_uses_the_index_and_finds_a_supplier_uploaded_a_moment_ago(app: Flask, api: Any) -> None:
    from riskradar.web.caching import name_index_cache

    app.config["RISKRADAR_CACHE_SECONDS"] = 30  # as in production: searches go through the name index
    name_index_cache.clear()
    try:
        before = api("GET", "/api/v1/suppliers?q=%E6%98%9F%E8%BE%B0").get_json()  # 星辰
        assert before["total"] == 0 and len(name_index_cache._data) == 1  # the index was built and used
        content = "supplier id,name,country\nS-STAR,星辰精密电子有限公司,CN\n".encode("utf-8")
        assert api("POST", "/api/v1/imports", data={"kind": "suppliers", "file": (io.BytesIO(content), "s.csv")},
                   content_type="multipart/form-data").status_code == 201
        after = api("GET", "/api/v1/suppliers?q=%E6%98%9F%E8%BE%B0&sort=name").get_json()
        assert [s["ref"] for s in after["items"]] == ["S-STAR"] and after["total"] == 1
    finally:
        name_index_cache.clear()
