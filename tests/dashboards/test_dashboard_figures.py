"""Figure builders: plain data in, the expected Plotly traces out."""

from __future__ import annotations

from datetime import datetime

from dashboards import figures


def test_risk_matrix_puts_counts_in_their_cells_with_drill_data() -> None:
    fig = figures.risk_matrix_figure([{"likelihood_band": 5, "impact_band": 2, "count": 7, "spend": 10.0},
                                      {"likelihood_band": 1, "impact_band": 1, "count": 3, "spend": 1.0}])
    heat = fig.data[0]
    assert heat.text[4][1] == 7 and heat.text[0][0] == 3 and heat.text[2][2] == 0
    assert list(heat.customdata[4][1]) == [5, 2, 7]


def test_bubbles_are_sized_by_spend() -> None:
    fig = figures.risk_bubble_figure([{"likelihood_band": 2, "impact_band": 2, "count": 1, "spend": 100.0},
                                      {"likelihood_band": 4, "impact_band": 5, "count": 9, "spend": 1.0}])
    sizes = list(fig.data[0].marker.size)
    assert sizes[0] > sizes[1]


def test_world_map_uses_iso3_and_skips_unscored_countries() -> None:
    fig = figures.world_map_figure([{"country": "CN", "count": 4, "avg_score": 61.0, "high": 2},
                                    {"country": "VN", "count": 1, "avg_score": None, "high": 0},
                                    {"country": "XX", "count": 1, "avg_score": 10.0, "high": 0}])
    trace = fig.data[0]
    assert list(trace.locations) == ["CHN"] and list(trace.z) == [61.0]
    assert trace.locationmode == "ISO-3"


def test_tier_distribution_stacks_tiers_in_order_with_labels() -> None:
    rows = [{"group": "textiles", "tier": "high", "count": 2}, {"group": "textiles", "tier": "low", "count": 5},
            {"group": None, "tier": "unscored", "count": 1}]
    fig = figures.tier_distribution_figure(rows, {"low": "低风险", "high": "高风险"})
    assert [t.name for t in fig.data] == ["低风险", "高风险", "unscored"]
    assert fig.layout.barmode == "stack"


def test_events_over_time_fills_missing_months_with_zero() -> None:
    fig = figures.events_over_time_figure([{"month": "2025-01", "label": "fire", "count": 2},
                                           {"month": "2025-03", "label": "bribery", "count": 1}])
    fire = next(t for t in fig.data if t.name == "fire")
    assert list(fire.x) == ["2025-01", "2025-03"] and list(fire.y) == [2, 0]


def test_score_breakdown_shows_each_reason_in_the_language() -> None:
    fig = figures.score_breakdown_figure([{"factor": "country", "weight": 12, "en": "High country risk", "zh": "国家风险高"},
                                          {"factor": "agreement", "weight": -3, "en": "Signed", "zh": "已签署"}], "zh")
    bar = fig.data[0]
    assert list(bar.y) == ["agreement", "country"] and "国家风险高" in list(bar.text)


def test_events_over_time_without_events_hides_the_empty_axes() -> None:
    fig = figures.events_over_time_figure([], {"fire": "火灾/爆炸"})
    assert fig.data == ()
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_tier_distribution_shows_the_group_names_it_is_given() -> None:
    fig = figures.tier_distribution_figure([{"group": "apparel", "tier": "high", "count": 3}],
                                           {"apparel": "服装", "high": "高风险"})
    assert list(fig.data[0].y) == ["服装"] and fig.data[0].name == "高风险"


def test_events_over_time_shows_the_whole_period_given() -> None:
    fig = figures.events_over_time_figure([{"month": "2025-03", "label": "fire", "count": 2}], {"fire": "火灾/爆炸"},
                                          months=["2025-01", "2025-02", "2025-03", "2025-04"])
    (fire,) = fig.data
    assert fire.name == "火灾/爆炸"
    assert list(fire.x) == ["2025-01", "2025-02", "2025-03", "2025-04"] and list(fire.y) == [0, 0, 2, 0]


def test_score_breakdown_names_factors_and_their_categories_from_labels() -> None:
    fig = figures.score_breakdown_figure(
        [{"factor": "audit_findings", "category": "fire", "weight": 6, "zh": "消防问题"},
         {"factor": "audit_findings", "category": "child_labour", "weight": 4, "zh": "童工问题"},
         {"factor": "inherent", "weight": 40, "zh": "固有风险高"}],
        "zh", {"audit_findings": "审核问题", "inherent": "固有风险", "fire": "火灾/爆炸", "child_labour": "童工"})
    assert set(fig.data[0].y) == {"审核问题 · 火灾/爆炸", "审核问题 · 童工", "固有风险"}


def test_risk_history_of_one_scoring_spans_days_not_milliseconds() -> None:
    at = datetime(2026, 11, 25, 18, 20)
    fig = figures.risk_history_figure([{"computed_at": at, "score": 35.5, "tier": "medium"}])
    start, end = fig.layout.xaxis.range
    assert fig.layout.xaxis.tickformat == "%Y-%m-%d"
    assert str(start).startswith("2026-11-22") and str(end).startswith("2026-11-28")
