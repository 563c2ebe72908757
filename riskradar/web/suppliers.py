"""Supplier list (search, sort, pagination, CSV/XLSX export) and the supplier profile."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Iterator

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from dashboards import figures
from dashboards.queries import SORTS, iter_suppliers, supplier_page
from riskradar.domain.agreements import Agreement
from riskradar.domain.audits import Audit
from riskradar.domain.base import CLASSIFIER_LABELS, RISK_TIERS
from riskradar.domain.news import Article, ArticleSupplierLink
from riskradar.domain.scoring import RiskSnapshot
from riskradar.domain.suppliers import Supplier
from riskradar.web.auth import ALL_ROLES, DATA_MANAGERS, TRIAGERS, roles_required
from riskradar.web.common import choice_arg, db, figure_json, filters_from_args, pagination, service
from riskradar.web.caching import cache_seconds, count_cache, name_index
from riskradar.web.dashboard import cached_options, figure_labels
from riskradar.web.highlight import highlight
from riskradar.web.i18n import current_language, labels_for

bp = Blueprint("suppliers", __name__, url_prefix="/suppliers")
EXPORT_COLUMNS = ("external_ref", "name_zh", "name_en", "country", "region", "industry", "tier_level",
                  "criticality", "annual_spend", "currency", "status", "risk_score", "risk_tier", "scored_at")
EXPORT_LIMIT = 200_000


def find_supplier(session: Any, ref: str) -> Supplier | None:
    """A supplier by external reference (or numeric id)."""
    get_supplier = service("riskradar.services.suppliers", "get_supplier")
    if get_supplier is not None:
        found = get_supplier(session, ref)
        if found is not None:
            return found
    supplier = session.scalar(select(Supplier).where(Supplier.external_ref == ref))
    if supplier is None and ref.isdigit():
        supplier = session.get(Supplier, int(ref))
    return supplier


@bp.route("")
@roles_required(*ALL_ROLES)
def index() -> Any:
    """The supplier list."""
    f = filters_from_args(request.args)
    # Highest risk first: what a procurement manager looks at first (and an indexed order).
    sort = choice_arg(request.args, "sort", tuple(SORTS), "-score") or "-score"
    page, per_page = pagination(request.args)
    rows, total = supplier_page(g.db, f, sort=sort, page=page, per_page=per_page, cache=count_cache,
                                ttl=cache_seconds(), name_index=name_index(g.db) if f.q else None)
    pages = max(1, (total + per_page - 1) // per_page)
    args = {k: v for k, v in request.args.items() if k not in ("page",) and v}
    return render_template("suppliers.html", rows=rows, total=total, page=page, pages=pages, per_page=per_page,
                           sort=sort, filters=f, args=args, options=cached_options(), tiers=RISK_TIERS,
                           args_nocell={k: v for k, v in args.items() if k not in ("lb", "ib")})


def _export_rows(database: Any, f: Any, sort: str) -> Iterator[list[Any]]:
    # Own session: a streamed response outlives the request (and its session).
    session = database.session()
    try:
        for n, s in enumerate(iter_suppliers(session, f, sort=sort)):
            if n >= EXPORT_LIMIT:
                break
            yield [getattr(s, c).isoformat() if c == "scored_at" and s.scored_at else getattr(s, c)
                   for c in EXPORT_COLUMNS]
    finally:
        session.close()


@bp.route("/export.<fmt>")
@roles_required(*ALL_ROLES)
def export(fmt: str) -> Any:
    """The filtered list as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    f = filters_from_args(request.args)
    sort = choice_arg(request.args, "sort", tuple(SORTS), "-score") or "-score"
    stamp = date.today().isoformat()
    database = db()
    if fmt == "csv":
        def generate() -> Iterator[str]:
            buf = io.StringIO()
            writer = csv.writer(buf)
            buf.write("\ufeff")
            writer.writerow(EXPORT_COLUMNS)
            for row in _export_rows(database, f, sort):
                writer.writerow(row)
                if buf.tell() > 64_000:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
            yield buf.getvalue()

        return Response(generate(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="suppliers-{stamp}.csv"'})
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("suppliers")
    ws.append(list(EXPORT_COLUMNS))
    for row in _export_rows(database, f, sort):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="suppliers-{stamp}.xlsx"'})


def tier_actions(tier: str | None, lang: str) -> list[str] | None:
    """The management actions of a tier (None when the scoring module is not available)."""
    func = service("riskradar.scoring.tiers", "tier_actions")
    if func is None or not tier:
        return None
    try:
        return list(func(tier, lang=lang))
    except (KeyError, ValueError):
        return []


def supplier_profile(session: Any, supplier: Supplier, lang: str) -> dict[str, Any]:
    """Everything the profile page (and the API detail) shows, as plain data and ORM rows."""
    snapshots = list(session.scalars(select(RiskSnapshot).where(RiskSnapshot.supplier_id == supplier.id)
                                     .order_by(RiskSnapshot.id.desc()).limit(60)))
    latest = snapshots[0] if snapshots else None
    audits = list(session.scalars(select(Audit).where(Audit.supplier_id == supplier.id)
                                  .order_by(Audit.audit_date.desc()).limit(20)))
    agreement = session.scalar(select(Agreement).where(Agreement.supplier_id == supplier.id)
                               .order_by(Agreement.signed_date.desc().nulls_last(), Agreement.id.desc()).limit(1))
    articles = list(session.scalars(select(Article).join(ArticleSupplierLink, ArticleSupplierLink.article_id == Article.id)
                                    .where(ArticleSupplierLink.supplier_id == supplier.id)
                                    .order_by(Article.published_at.desc().nulls_last(), Article.id.desc()).limit(25)))
    history = [{"computed_at": s.computed_at, "score": s.score, "tier": s.tier} for s in reversed(snapshots)]
    return {"latest": latest, "history": history, "audits": audits, "agreement": agreement, "articles": articles,
            "actions": tier_actions(supplier.risk_tier, lang), "reasons": (latest.reasons if latest else []) or []}


@bp.route("/<ref>")
@roles_required(*ALL_ROLES)
def profile(ref: str) -> Any:
    """The supplier profile page."""
    supplier = find_supplier(g.db, ref)
    if supplier is None:
        abort(404, description=f"no supplier {ref!r}")
    lang = current_language()
    data = supplier_profile(g.db, supplier, lang)
    names = figure_labels()
    factor_names = {**names, **labels_for("factor", {r.get("factor") for r in data["reasons"] if isinstance(r, dict)})}
    charts = {"breakdown": figure_json(figures.score_breakdown_figure(data["reasons"], lang, factor_names))
              if data["reasons"] else None,
              "history": figure_json(figures.risk_history_figure(data["history"], names)) if data["history"] else None}
    return render_template("supplier.html", s=supplier, data=data, charts=charts, today=date.today(),
                           highlight=highlight, labels=CLASSIFIER_LABELS, evidence_of=evidence_of)


def evidence_of(article: Article) -> list[Any]:
    """Evidence phrases of the article's decided, not dismissed tags."""
    out: list[Any] = []
    for tag in article.tags:
        if tag.decided and tag.review_status != "dismissed":
            out.extend(tag.evidence or [])
    return out


@bp.route("/<ref>/tags/<id:tag_id>/review", methods=["POST"])
@roles_required(*TRIAGERS, *DATA_MANAGERS)
def review_tag(ref: str, tag_id: int) -> Any:
    """Confirm or dismiss a classifier tag on an article linked to this supplier."""
    from riskradar.services.tag_review import REVIEW_ACTIONS, review_tag as do_review
    from riskradar.web.errors import BadParameter

    supplier = find_supplier(g.db, ref)
    if supplier is None:
        abort(404, description=f"no supplier {ref!r}")
    action = request.form.get("action", "")
    if action not in REVIEW_ACTIONS:
        raise BadParameter(f"field 'action' must be confirm or dismiss, got {action!r}", param="action")
    try:
        do_review(g.db, tag_id, current_user.id, action)
    except LookupError:
        abort(404, description=f"no tag {tag_id}")
    g.db.commit()
    flash("tag_" + action + "ed")
    return redirect(url_for("suppliers.profile", ref=supplier.external_ref) + "#news")
