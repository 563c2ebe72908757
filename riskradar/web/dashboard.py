"""The dashboard: tiles, risk map (matrix and bubbles), world map, tier distribution,
red-line events over time and the biggest tier movers, all under one set of filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, g, render_template, request, url_for

from dashboards import figures
from dashboards.queries import Filters, dashboard_data, events_months, filter_options
from riskradar.domain.base import CLASSIFIER_LABELS, RED_LINES, RISK_TIERS
from riskradar.web.auth import ALL_ROLES, roles_required
from riskradar.web.caching import (
    cache_seconds,
    dashboard_cache,
    figure_cache,
    options_cache,
)
from riskradar.web.common import db, figure_json, filters_from_args, settings
from riskradar.web.i18n import country, current_language, label, labels_for, region, t

bp = Blueprint("dashboard", __name__)
# An expired dashboard is served for up to STALE_FACTOR × the cache time while it is recomputed.
STALE_FACTOR = 20


def warm_dashboard(app: Any) -> None:
    """Compute the unfiltered dashboard once (e.g. at server start) so no one waits for it."""
    database = app.extensions["riskradar.db"]
    settings_ = app.extensions["riskradar.settings"]
    ttl = float(app.config.get("RISKRADAR_CACHE_SECONDS", 30))
    with database.scope() as session:
        dashboard_data(session, Filters(), today=date.today(), validity_months=settings_.audit_validity_months,
                       cache=dashboard_cache, ttl=ttl, stale_ttl=ttl * STALE_FACTOR, session_factory=database.session)


def cached_options() -> dict[str, list[str]]:
    """Filter drop-down values (cached: three GROUP BYs over all suppliers)."""
    ttl = cache_seconds()
    return options_cache.get_or_compute(("options", str(g.db.get_bind().url)), max(ttl, 60) if ttl else 0,
                                        lambda: filter_options(g.db))


def figure_labels() -> dict[str, str]:
    """Display names used inside figures, in the current language."""
    names = {k: t(f"fig.{k}") for k in ("likelihood", "impact", "suppliers", "spend", "score", "high_risk")}
    names.update({tier: label("tier", tier) for tier in (*RISK_TIERS, "unscored")})
    names.update({c: label("category", c) for c in CLASSIFIER_LABELS})
    return names


@bp.route("/")
@roles_required(*ALL_ROLES)
def index() -> Any:
    """The dashboard page."""
    f = filters_from_args(request.args)
    ttl = cache_seconds()
    today = date.today()
    data = dashboard_data(g.db, f, today=today, validity_months=settings().audit_validity_months,
                          cache=dashboard_cache, ttl=ttl, stale_ttl=ttl * STALE_FACTOR,
                          session_factory=db().session)
    options = cached_options()
    lang = current_language()

    def build_charts() -> dict[str, str]:
        # Building Plotly figures costs more than the cached queries: keep the JSON too.
        names = figure_labels()
        world_names = {**names, **{f"country:{r['country']}": country(r["country"]) for r in data["countries"]
                                   if r.get("country")}}
        industry_names = {**names, **labels_for("industry", {r["group"] for r in data["by_industry"]})}
        region_names = {**names, **{r["group"]: region(r["group"]) for r in data["by_region"] if r["group"]}}
        return {
            "matrix": figure_json(figures.risk_matrix_figure(data["matrix"], names)),
            "bubble": figure_json(figures.risk_bubble_figure(data["matrix"], names)),
            "world": figure_json(figures.world_map_figure(data["countries"], world_names)),
            "by_industry": figure_json(figures.tier_distribution_figure(data["by_industry"], industry_names)),
            "by_region": figure_json(figures.tier_distribution_figure(data["by_region"], region_names)),
            "events": figure_json(figures.events_over_time_figure(data["events"], names,
                                                                  months=events_months(f, today))),
        }

    # Keyed by the data object: a refreshed result gets fresh figures.
    charts = figure_cache.get_or_compute(("charts", str(g.db.get_bind().url), f.key(), lang, data["computed_at"]),
                                         ttl * STALE_FACTOR, build_charts)
    drill_args = {k: v for k, v in request.args.items() if k in ("country", "region", "industry", "tier") and v}
    return render_template(
        "dashboard.html", data=data, charts=charts, options=options, filters=f, args=request.args,
        tiers=RISK_TIERS, categories=CLASSIFIER_LABELS, red_lines=RED_LINES, lang=lang,
        drill_url=url_for("suppliers.index", **drill_args),
    )
