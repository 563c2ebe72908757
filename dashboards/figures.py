"""Plotly figure builders: pure functions from plain data to ``go.Figure``.

Labels come in as a mapping (value -> display text) so the same builders serve zh and en and
none of them touches Flask or the database. Click-through data (risk-map cell, supplier id) is
put in ``customdata`` for the page script.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

import plotly.graph_objects as go
import pycountry

TIER_ORDER = ("low", "medium", "high", "red_line", "unscored")
TIER_COLOURS = {"low": "#2e7d32", "medium": "#f4a400", "high": "#e8590c", "red_line": "#c92a2a", "unscored": "#adb5bd"}
CATEGORY_COLOURS = {"child_labour": "#7048e8", "forced_labour": "#c92a2a", "bribery": "#1971c2", "fire": "#e8590c"}
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


def _base_layout(title: str | None = None, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {"family": FONT, "size": 13, "color": "#212529"},
        "margin": {"l": 48, "r": 16, "t": 40 if title else 16, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"font": {"family": FONT}},
    }
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}}
    layout.update(extra)
    return layout


def _l(labels: Mapping[str, str] | None, key: Any) -> str:
    if labels and key in labels:
        return labels[key]
    return str(key)


def risk_matrix_figure(cells: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> go.Figure:
    """5×5 heat map: rows = likelihood band (1 low .. 5 high), columns = impact band; counts."""
    z = [[0] * 5 for _ in range(5)]
    for cell in cells:
        lb, ib = int(cell["likelihood_band"]), int(cell["impact_band"])
        if 1 <= lb <= 5 and 1 <= ib <= 5:
            z[lb - 1][ib - 1] += int(cell["count"])
    # Background colour = severity of the cell (likelihood × impact), text = supplier count.
    severity = [[(lb + 1) * (ib + 1) for ib in range(5)] for lb in range(5)]
    customdata = [[[lb + 1, ib + 1, z[lb][ib]] for ib in range(5)] for lb in range(5)]
    fig = go.Figure(go.Heatmap(
        z=severity, x=[1, 2, 3, 4, 5], y=[1, 2, 3, 4, 5], text=z, texttemplate="%{text}",
        textfont={"size": 15}, customdata=customdata, showscale=False, xgap=3, ygap=3,
        colorscale=[[0, "#d3f9d8"], [0.25, "#fff3bf"], [0.5, "#ffd8a8"], [0.75, "#ffa8a8"], [1, "#e03131"]],
        zmin=1, zmax=25,
        hovertemplate=(f"{_l(labels, 'likelihood')} %{{y}} · {_l(labels, 'impact')} %{{x}}<br>"
                       f"{_l(labels, 'suppliers')}: %{{text}}<extra></extra>"),
    ))
    fig.update_layout(**_base_layout(
        xaxis={"title": {"text": _l(labels, "impact")}, "dtick": 1, "fixedrange": True},
        yaxis={"title": {"text": _l(labels, "likelihood")}, "dtick": 1, "fixedrange": True},
        height=360))
    return fig


def risk_bubble_figure(cells: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> go.Figure:
    """The same cells as bubbles whose area is the annual spend in the cell."""
    xs, ys, sizes, texts, custom = [], [], [], [], []
    max_spend = max((float(c.get("spend") or 0) for c in cells), default=0.0) or 1.0
    for cell in cells:
        spend = float(cell.get("spend") or 0)
        xs.append(cell["impact_band"])
        ys.append(cell["likelihood_band"])
        sizes.append(8 + 52 * math.sqrt(spend / max_spend))
        texts.append(f"{_l(labels, 'suppliers')}: {cell['count']}<br>{_l(labels, 'spend')}: {spend:,.0f}")
        custom.append([cell["likelihood_band"], cell["impact_band"], cell["count"]])
    fig = go.Figure(go.Scatter(
        x=xs, y=ys, mode="markers", text=texts, customdata=custom,
        marker={"size": sizes, "color": [x * y for x, y in zip(xs, ys)], "colorscale": "YlOrRd",
                "cmin": 1, "cmax": 25, "line": {"width": 1, "color": "#495057"}, "opacity": 0.85},
        hovertemplate="%{text}<extra></extra>"))
    fig.update_layout(**_base_layout(
        xaxis={"title": {"text": _l(labels, "impact")}, "range": [0.4, 5.6], "dtick": 1, "fixedrange": True},
        yaxis={"title": {"text": _l(labels, "likelihood")}, "range": [0.4, 5.6], "dtick": 1, "fixedrange": True},
        height=360))
    return fig


def alpha3(code: str | None) -> str | None:
    """ISO alpha-3 for an alpha-2 code (plotly's choropleth uses alpha-3)."""
    if not code:
        return None
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.alpha_3 if country else None


def world_map_figure(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> go.Figure:
    """Choropleth of the mean supplier risk score per country (hover: suppliers, high-risk)."""
    locs, z, text, custom = [], [], [], []
    for row in rows:
        code3 = alpha3(row.get("country"))
        if code3 is None or row.get("avg_score") is None:
            continue
        locs.append(code3)
        z.append(round(float(row["avg_score"]), 1))
        name = _l(labels, f"country:{row['country']}") if labels and f"country:{row['country']}" in labels else row["country"]
        text.append(f"{name}<br>{_l(labels, 'suppliers')}: {row['count']}<br>{_l(labels, 'high_risk')}: {row['high']}")
        custom.append([row["country"]])
    fig = go.Figure(go.Choropleth(
        locations=locs, z=z, locationmode="ISO-3", text=text, customdata=custom,
        colorscale=[[0, "#d3f9d8"], [0.4, "#fff3bf"], [0.7, "#ffa94d"], [1, "#c92a2a"]], zmin=0, zmax=100,
        marker={"line": {"color": "#ffffff", "width": 0.5}},
        colorbar={"title": {"text": _l(labels, "score")}, "thickness": 12},
        hovertemplate="%{text}<br>" + _l(labels, "score") + ": %{z}<extra></extra>"))
    fig.update_layout(**_base_layout(height=380, margin={"l": 0, "r": 0, "t": 8, "b": 0}),
                      geo={"showframe": False, "showcoastlines": False, "projection": {"type": "natural earth"},
                           "showcountries": True, "countrycolor": "#dee2e6", "landcolor": "#f1f3f5",
                           "showland": True, "bgcolor": "rgba(0,0,0,0)"})
    return fig


def tier_distribution_figure(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None,
                             *, title: str | None = None) -> go.Figure:
    """Stacked horizontal bars: suppliers per group split by tier."""
    totals: dict[Any, int] = defaultdict(int)
    by_tier: dict[str, dict[Any, int]] = defaultdict(dict)
    for row in rows:
        group = row["group"] if row["group"] is not None else "—"
        totals[group] += int(row["count"])
        by_tier[row["tier"]][group] = by_tier[row["tier"]].get(group, 0) + int(row["count"])
    groups = sorted(totals, key=lambda g: totals[g])
    fig = go.Figure()
    for tier in TIER_ORDER:
        if tier not in by_tier:
            continue
        fig.add_trace(go.Bar(y=[_l(labels, g) for g in groups], x=[by_tier[tier].get(g, 0) for g in groups],
                             orientation="h", name=_l(labels, tier), marker={"color": TIER_COLOURS[tier]},
                             hovertemplate="%{y}: %{x}<extra>" + _l(labels, tier) + "</extra>"))
    fig.update_layout(**_base_layout(title, barmode="stack", height=max(260, 40 + 24 * len(groups)),
                                     margin={"l": 120, "r": 16, "t": 40 if title else 16, "b": 32},
                                     legend={"orientation": "h", "y": -0.15}))
    return fig


def events_over_time_figure(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None,
                            *, title: str | None = None, months: Sequence[str] | None = None) -> go.Figure:
    """Stacked monthly bars of red-line events per category (``labels`` maps category -> name);
    ``months`` (optional) is the whole period to show, quiet months included."""
    present = {r["month"] for r in rows if r.get("month")}
    months = sorted(present | set(months or ())) if present else []
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        if r.get("month"):
            series[r["label"]][r["month"]] = int(r["count"])
    fig = go.Figure()
    for label_code in sorted(series, key=lambda c: list(CATEGORY_COLOURS).index(c) if c in CATEGORY_COLOURS else 99):
        fig.add_trace(go.Bar(x=months, y=[series[label_code].get(m, 0) for m in months], name=_l(labels, label_code),
                             marker={"color": CATEGORY_COLOURS.get(label_code, "#868e96")}))
    if not months:
        # Nothing to plot: no empty axes with a meaningless −1..4 scale (the page says why).
        fig.update_layout(**_base_layout(title, height=120, xaxis={"visible": False}, yaxis={"visible": False}))
        return fig
    fig.update_layout(**_base_layout(title, barmode="stack", height=320, legend={"orientation": "h", "y": -0.2},
                                     xaxis={"type": "category"}, yaxis={"rangemode": "tozero", "tickformat": ",d"}))
    return fig


def score_breakdown_figure(reasons: Sequence[Mapping[str, Any]], lang: str = "en",
                           labels: Mapping[str, str] | None = None) -> go.Figure:
    """Horizontal bars of each factor's contribution to the score, with the reason as hover.

    ``labels`` maps factor codes and red-line categories to display names; a factor that
    concerns one category (findings, news...) is shown as "factor · category", so two
    categories of one factor get two bars.
    """
    items = []
    for r in reasons:
        value = r.get("contribution", r.get("weight", r.get("value", 0)))
        try:
            value = float(value or 0)
        except (TypeError, ValueError):
            value = 0.0
        text = r.get(lang) or r.get("en") or r.get("zh") or ""
        name = _l(labels, str(r.get("factor", "?")))
        if r.get("category"):
            name = f"{name} · {_l(labels, r['category'])}"
        items.append((name, value, str(text)))
    items.sort(key=lambda it: it[1])
    fig = go.Figure(go.Bar(y=[i[0] for i in items], x=[i[1] for i in items], orientation="h",
                           text=[i[2] for i in items], textposition="none",
                           marker={"color": ["#c92a2a" if i[1] > 0 else "#2e7d32" for i in items]},
                           hovertemplate="%{y}: %{x:.1f}<br>%{text}<extra></extra>"))
    fig.update_layout(**_base_layout(height=max(220, 40 + 28 * len(items)),
                                     margin={"l": 150, "r": 16, "t": 16, "b": 32}))
    return fig


def risk_history_figure(history: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> go.Figure:
    """Score over time with markers coloured by tier."""
    xs = [h["computed_at"] for h in history]
    ys = [h["score"] for h in history]
    xaxis: dict[str, Any] = {"type": "date", "tickformat": "%Y-%m-%d", "hoverformat": "%Y-%m-%d %H:%M"}
    if xs and all(isinstance(x, datetime) for x in xs) and max(xs) - min(xs) < timedelta(days=2):
        # One scoring (or a few the same day): a week around it, not an axis of milliseconds.
        xaxis["range"] = [min(xs) - timedelta(days=3), max(xs) + timedelta(days=3)]
    colours = [TIER_COLOURS.get(h.get("tier") or "unscored", "#adb5bd") for h in history]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines+markers", line={"color": "#495057"},
                               marker={"color": colours, "size": 9},
                               text=[_l(labels, h.get("tier")) for h in history],
                               hovertemplate="%{x}<br>%{y:.1f} · %{text}<extra></extra>"))
    fig.update_layout(**_base_layout(height=260, xaxis=xaxis,
                                     yaxis={"range": [0, 100], "title": {"text": _l(labels, "score")}}))
    return fig
