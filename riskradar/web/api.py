"""JSON API under /api/v1 (session cookie or ``Authorization: Bearer <token>``).

Lists are ``{"items": [...], "page", "per_page", "total"}``; errors are
``{"error": {"code", "message", "details"}}``. The OpenAPI document is in ``openapi.py``.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import func, select

from dashboards.queries import SORTS, dashboard_data, day_start, supplier_page
from riskradar.domain.agreements import Agreement
from riskradar.domain.alerts import Alert, Channel
from riskradar.domain.audits import Audit
from riskradar.domain.base import AGREEMENT_STATUSES, ALERT_STATUSES, CLASSIFIER_LABELS
from riskradar.domain.imports import ImportBatch
from riskradar.domain.news import Article, ArticleSupplierLink, ArticleTag
from riskradar.domain.scoring import RiskSnapshot
from riskradar.web import admin as admin_views
from riskradar.web import alerts as alert_views
from riskradar.web.caching import (cache_seconds, count_cache, dashboard_cache, forget_supplier_names, name_index,
                                   response_cache)
from riskradar.web.auth import (ADMINS, ALL_ROLES, CHECKERS, DATA_MANAGERS, FEED_MANAGERS, TRIAGERS, public,
                                roles_required)
from riskradar.web.common import (agreement_dict, alert_dict, audit_dict, batch_dict, choice_arg, date_arg,
                                  feed_dict, filters_from_args, int_arg, iso, job_run_dict, pagination, require,
                                  settings, supplier_dict, text_arg)
from riskradar.web.errors import BadParameter
from riskradar.web.i18n import current_language
from riskradar.web.suppliers import find_supplier, supplier_profile

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def page_body(items: list[Any], page: int, per_page: int, total: int) -> Any:
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


def json_body() -> dict[str, Any]:
    """The request body as a JSON object (400 otherwise)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadParameter("request body must be a JSON object (Content-Type: application/json)")
    return data


def get_supplier_or_404(ref: str) -> Any:
    supplier = find_supplier(g.db, ref)
    if supplier is None:
        abort(404, description=f"no supplier {ref!r}")
    return supplier


@bp.route("/openapi.json")
@public
def openapi() -> Any:
    """The OpenAPI 3 document of this API."""
    from riskradar.web.openapi import build_openapi

    return jsonify(build_openapi(settings().base_url))


@bp.route("/me")
@roles_required(*ALL_ROLES)
def me() -> Any:
    """The authenticated user."""
    return jsonify({"id": current_user.id, "username": current_user.username, "role": current_user.role,
                    "language": current_user.language})


# --- suppliers, scores --------------------------------------------------------------------------

@bp.route("/suppliers")
@roles_required(*ALL_ROLES)
def suppliers() -> Any:
    """Suppliers, filtered, sorted and paginated."""
    f = filters_from_args(request.args)
    # Default: by reference (unique index, stable for scripts paging through everything).
    sort = choice_arg(request.args, "sort", tuple(SORTS), "ref") or "ref"
    page, per_page = pagination(request.args)
    ttl = cache_seconds()

    def render() -> bytes:
        rows, total = supplier_page(g.db, f, sort=sort, page=page, per_page=per_page, cache=count_cache,
                                    ttl=ttl, plain=True, name_index=name_index(g.db) if f.q else None)
        items = [supplier_dict(SimpleNamespace(**s)) for s in rows]
        return current_app.json.dumps({"items": items, "page": page, "per_page": per_page, "total": total}).encode()

    # Every role may list suppliers, so one cached body per query serves everyone; the same pages
    # are requested over and over by dashboards and scripts. Stale for at most `ttl` seconds.
    key = ("api-suppliers", str(g.db.get_bind().url), f.key(), sort, page, per_page)
    body = response_cache.get_or_compute(key, ttl, render)
    return Response(body, mimetype="application/json")


@bp.route("/suppliers/<ref>")
@roles_required(*ALL_ROLES)
def supplier_detail(ref: str) -> Any:
    """One supplier with its latest score, reasons, tier actions and agreement."""
    s = get_supplier_or_404(ref)
    data = supplier_profile(g.db, s, current_language())
    latest = data["latest"]
    return jsonify({
        **supplier_dict(s),
        "risk": None if latest is None else {
            "score": latest.score, "likelihood": latest.likelihood, "impact": latest.impact,
            "likelihood_band": latest.likelihood_band, "impact_band": latest.impact_band, "tier": latest.tier,
            "previous_tier": latest.previous_tier, "categories": latest.categories or {},
            "reasons": latest.reasons or [], "computed_at": iso(latest.computed_at)},
        "tier_actions": data["actions"],
        "agreement": agreement_dict(data["agreement"]) if data["agreement"] else None,
    })


@bp.route("/suppliers/<ref>/history")
@roles_required(*ALL_ROLES)
def supplier_history(ref: str) -> Any:
    """The supplier's risk snapshots, newest first."""
    s = get_supplier_or_404(ref)
    limit = int_arg(request.args, "limit", 100, lo=1, hi=1000)
    rows = g.db.scalars(select(RiskSnapshot).where(RiskSnapshot.supplier_id == s.id)
                        .order_by(RiskSnapshot.id.desc()).limit(limit))
    return jsonify({"items": [{"computed_at": iso(r.computed_at), "score": r.score, "likelihood": r.likelihood,
                               "impact": r.impact, "likelihood_band": r.likelihood_band, "impact_band": r.impact_band,
                               "tier": r.tier, "previous_tier": r.previous_tier, "reasons": r.reasons or []}
                              for r in rows]})


@bp.route("/suppliers/<ref>/audits")
@roles_required(*ALL_ROLES)
def supplier_audits(ref: str) -> Any:
    """The supplier's audits with findings and corrective-action status."""
    s = get_supplier_or_404(ref)
    rows = g.db.scalars(select(Audit).where(Audit.supplier_id == s.id).order_by(Audit.audit_date.desc()))
    today = date.today()
    return jsonify({"items": [audit_dict(a, today=today) for a in rows]})


@bp.route("/suppliers/<ref>/agreement", methods=["PUT"])
@roles_required(*DATA_MANAGERS)
def put_agreement(ref: str) -> Any:
    """Create or update the supplier's CSR agreement (validated by the agreements service)."""
    s = get_supplier_or_404(ref)
    data = json_body()
    upsert = require("riskradar.services.agreements", "upsert_agreement", "agreements (riskradar.services.agreements)")
    try:
        agreement = upsert(g.db, s.external_ref, data)
    except (ValueError, TypeError) as exc:
        g.db.rollback()
        raise BadParameter(str(exc)) from exc
    g.db.commit()
    return jsonify(agreement_dict(agreement))


@bp.route("/score", methods=["POST"])
@roles_required(*DATA_MANAGERS)
def score() -> Any:
    """Run scoring: incremental (suppliers needing a rescore) or ``{"full": true}``."""
    data = request.get_json(silent=True) if request.data else {}
    if not isinstance(data, dict):
        raise BadParameter("request body must be a JSON object such as {\"full\": false}")
    full = data.get("full", False)
    if not isinstance(full, bool):
        raise BadParameter("'full' must be true or false", param="full")
    score_suppliers = require("riskradar.scoring.service", "score_suppliers", "scoring (riskradar.scoring.service)")
    run = score_suppliers(g.db, settings(), full=full)
    g.db.commit()
    return jsonify({"run_id": run.id, "full": run.full, "suppliers_scored": run.suppliers_scored,
                    "tier_changes": run.tier_changes, "started_at": iso(run.started_at),
                    "finished_at": iso(run.finished_at), "model_version": run.model_version})


@bp.route("/dashboard")
@roles_required(*ALL_ROLES)
def dashboard() -> Any:
    """The dashboard's numbers (tiles, risk-map cells, countries, events, movers)."""
    f = filters_from_args(request.args)
    data = dashboard_data(g.db, f, today=date.today(), validity_months=settings().audit_validity_months,
                          cache=dashboard_cache, ttl=cache_seconds())
    movers = [{**m, "at": iso(m["at"])} for m in data["movers"]]
    return jsonify({**{k: v for k, v in data.items() if k != "computed_at"}, "movers": movers})


# --- agreements, feeds, articles ------------------------------------------------------------------

@bp.route("/agreements")
@roles_required(*ALL_ROLES)
def agreements() -> Any:
    """Agreements, optionally by status or supplier."""
    status = choice_arg(request.args, "status", AGREEMENT_STATUSES)
    supplier_ref = text_arg(request.args, "supplier", max_len=64)
    page, per_page = pagination(request.args)
    conds = []
    if status:
        conds.append(Agreement.status == status)
    if supplier_ref:
        conds.append(Agreement.supplier_id == get_supplier_or_404(supplier_ref).id)
    total = g.db.scalar(select(func.count()).select_from(Agreement).where(*conds)) or 0
    rows = g.db.scalars(select(Agreement).where(*conds).order_by(Agreement.id.desc())
                        .limit(per_page).offset((page - 1) * per_page))
    return page_body([agreement_dict(a) for a in rows], page, per_page, int(total))


@bp.route("/feeds")
@roles_required(*ALL_ROLES)
def feeds() -> Any:
    """Registered feeds with their last error."""
    return jsonify({"items": [feed_dict(f) for f in admin_views.list_feeds(g.db)]})


@bp.route("/feeds", methods=["POST"])
@roles_required(*FEED_MANAGERS)
def add_feed() -> Any:
    """Register a feed: ``{"url", "name"?, "lang"?, "credibility"?, "poll_interval_minutes"?}``."""
    data = json_body()
    form = {k: ("" if v is None else str(v)) for k, v in data.items()}
    feed = admin_views.add_feed_from(g.db, form)
    g.db.commit()
    return jsonify(feed_dict(feed)), 201


@bp.route("/feeds/<id:feed_id>", methods=["DELETE"])
@roles_required(*FEED_MANAGERS)
def delete_feed(feed_id: int) -> Any:
    """Remove a feed."""
    remove = require("riskradar.services.feeds", "remove_feed", "feed management (riskradar.services.feeds)")
    if not remove(g.db, feed_id):
        abort(404, description=f"no feed {feed_id}")
    g.db.commit()
    return "", 204


@bp.route("/articles")
@roles_required(*ALL_ROLES)
def articles() -> Any:
    """Articles with their tags and supplier links, newest first."""
    label = choice_arg(request.args, "label", CLASSIFIER_LABELS)
    supplier_ref = text_arg(request.args, "supplier", max_len=64)
    since = date_arg(request.args, "since")
    page, per_page = pagination(request.args)
    conds = []
    if label:
        conds.append(Article.id.in_(select(ArticleTag.article_id).where(ArticleTag.label == label,
                                                                         ArticleTag.decided.is_(True))))
    if supplier_ref:
        sid = get_supplier_or_404(supplier_ref).id
        conds.append(Article.id.in_(select(ArticleSupplierLink.article_id).where(ArticleSupplierLink.supplier_id == sid)))
    if since:
        conds.append(Article.published_at >= day_start(since))
    total = g.db.scalar(select(func.count()).select_from(Article).where(*conds)) or 0
    rows = list(g.db.scalars(select(Article).where(*conds).order_by(Article.id.desc())
                             .limit(per_page).offset((page - 1) * per_page)))
    ids = [a.id for a in rows]
    tags: dict[int, list[Any]] = {}
    links: dict[int, list[Any]] = {}
    if ids:
        for t in g.db.scalars(select(ArticleTag).where(ArticleTag.article_id.in_(ids))):
            tags.setdefault(t.article_id, []).append(
                {"id": t.id, "label": t.label, "probability": t.probability, "decided": t.decided,
                 "evidence": t.evidence or [], "review_status": t.review_status, "model_version": t.model_version})
        for link in g.db.scalars(select(ArticleSupplierLink).where(ArticleSupplierLink.article_id.in_(ids))):
            links.setdefault(link.article_id, []).append(
                {"supplier_id": link.supplier_id, "matched_text": link.matched_text, "field": link.field,
                 "start": link.span_start, "end": link.span_end, "confidence": link.confidence})
    items = [{"id": a.id, "title": a.title, "summary": a.summary, "url": a.url, "lang": a.lang,
              "published_at": iso(a.published_at), "source_count": a.source_count,
              "tags": tags.get(a.id, []), "links": links.get(a.id, [])} for a in rows]
    return page_body(items, page, per_page, int(total))


# --- alerts and channels --------------------------------------------------------------------------

@bp.route("/alerts")
@roles_required(*ALL_ROLES)
def alerts() -> Any:
    """Alerts, newest first, by status / category / supplier."""
    status = choice_arg(request.args, "status", ALERT_STATUSES)
    category = choice_arg(request.args, "category", alert_views.ALERT_CATEGORIES)
    supplier_id = int_arg(request.args, "supplier_id", 0, lo=1) or None if request.args.get("supplier_id") else None
    page, per_page = pagination(request.args)
    rows, total = alert_views.list_alerts(g.db, status=status, category=category, supplier_id=supplier_id,
                                          limit=per_page, offset=(page - 1) * per_page)
    return page_body([alert_dict(a) for a in rows], page, per_page, total)


def _history_json(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: iso(v) for k, v in h.items()} for h in history]


@bp.route("/alerts/<id:alert_id>")
@roles_required(*ALL_ROLES)
def alert_detail(alert_id: int) -> Any:
    """One alert with its evidence, sources and history."""
    alert = g.db.get(Alert, alert_id)
    if alert is None:
        abort(404, description=f"no alert {alert_id}")
    return jsonify({**alert_dict(alert, full=True), "history": _history_json(alert_views.alert_history(g.db, alert_id))})


@bp.route("/alerts/<id:alert_id>/<action>", methods=["POST"])
@roles_required(*TRIAGERS)
def alert_triage(alert_id: int, action: str) -> Any:
    """Triage: acknowledge, assign (``assignee``), comment (``note``), confirm, dismiss, resolve (``note``)."""
    if action not in alert_views.TRIAGE_ACTIONS:
        abort(404, description=f"unknown triage action {action!r}; expected one of {', '.join(alert_views.TRIAGE_ACTIONS)}")
    if g.db.get(Alert, alert_id) is None:
        abort(404, description=f"no alert {alert_id}")
    data = request.get_json(silent=True) if request.data else {}
    if not isinstance(data, dict):
        raise BadParameter("request body must be a JSON object")
    form = {k: ("" if v is None else str(v)) for k, v in data.items()}
    try:
        alert_views.triage(g.db, alert_id, current_user.id, action, form)
    except LookupError as exc:
        g.db.rollback()
        abort(404, description=str(exc))
    except ValueError as exc:
        g.db.rollback()
        raise BadParameter(str(exc)) from exc
    g.db.commit()
    alert = g.db.get(Alert, alert_id)
    g.db.refresh(alert)
    return jsonify({**alert_dict(alert, full=True), "history": _history_json(alert_views.alert_history(g.db, alert_id))})


@bp.route("/channels")
@roles_required(*ADMINS)
def channels() -> Any:
    """Alert delivery channels (secrets are not returned)."""
    rows = g.db.scalars(select(Channel).order_by(Channel.id))
    return jsonify({"items": [{"id": c.id, "kind": c.kind, "target": c.target, "name": c.name, "language": c.language,
                               "enabled": c.enabled, "has_secret": bool(c.secret),
                               "consecutive_failures": c.consecutive_failures} for c in rows]})


@bp.route("/channels", methods=["POST"])
@roles_required(*ADMINS)
def add_channel() -> Any:
    """Add a channel: ``{"kind", "target", "name"?, "secret"?, "language"?}``."""
    data = json_body()
    form = {k: ("" if v is None else str(v)) for k, v in data.items()}
    c = admin_views.add_channel_from(g.db, form)
    g.db.commit()
    return jsonify({"id": c.id, "kind": c.kind, "target": c.target, "name": c.name, "language": c.language,
                    "enabled": c.enabled, "has_secret": bool(c.secret), "consecutive_failures": c.consecutive_failures}), 201


# --- onboarding, imports, jobs --------------------------------------------------------------------

@bp.route("/check", methods=["POST"])
@roles_required(*CHECKERS)
def check() -> Any:
    """Onboarding check: ``{"name", "country"?, "industry"?}`` -> decision, reasons, conditions, matches."""
    from riskradar.web.onboarding import run_check

    data = json_body()
    form = {k: ("" if v is None else str(v)) for k, v in data.items()}
    result = run_check(g.db, form)
    return jsonify(_plain(result))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "external_ref") and hasattr(value, "country"):
        return supplier_dict(value)
    return iso(value)


@bp.route("/imports")
@roles_required(*DATA_MANAGERS)
def imports() -> Any:
    """Import batches, newest first."""
    kind = choice_arg(request.args, "kind", tuple(admin_views.IMPORTERS))
    page, per_page = pagination(request.args)
    conds = [ImportBatch.kind == kind] if kind else []
    total = g.db.scalar(select(func.count()).select_from(ImportBatch).where(*conds)) or 0
    rows = g.db.scalars(select(ImportBatch).where(*conds).order_by(ImportBatch.id.desc())
                        .limit(per_page).offset((page - 1) * per_page))
    return page_body([batch_dict(b) for b in rows], page, per_page, int(total))


@bp.route("/imports", methods=["POST"])
@roles_required(*DATA_MANAGERS)
def upload() -> Any:
    """Upload a file (multipart: ``kind`` = suppliers|audits|agreements, ``file``); returns the batch report."""
    batch = admin_views.run_upload(g.db, request.form.get("kind"), request.files.get("file"),
                                   current_user.username, source="api")
    g.db.commit()
    forget_supplier_names()
    if batch.status == "failed":
        # The whole file was unreadable: the batch (and the retained original) is recorded,
        # but the request failed — say why, with the batch report.
        from riskradar.web.errors import api_error

        return api_error(400, "import_failed", f"file {batch.file_name!r}: {batch.error}", batch_dict(batch))
    return jsonify(batch_dict(batch)), 201


@bp.route("/imports/<id:batch_id>")
@roles_required(*DATA_MANAGERS)
def import_batch(batch_id: int) -> Any:
    """One batch report with every rejected row."""
    row = g.db.get(ImportBatch, batch_id)
    if row is None:
        abort(404, description=f"no import batch {batch_id}")
    return jsonify(batch_dict(row))


@bp.route("/jobs")
@roles_required(*ADMINS)
def jobs() -> Any:
    """Recent job runs."""
    job = text_arg(request.args, "job", max_len=64)
    limit = int_arg(request.args, "limit", 50, lo=1, hi=500)
    return jsonify({"items": [job_run_dict(r) for r in admin_views.list_job_runs(g.db, job=job, limit=limit)]})
