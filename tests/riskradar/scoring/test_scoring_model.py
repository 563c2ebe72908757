"""The pure risk model: reference tables, inherent exposure, evidence parts, bands and tiers."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

import config as config_pkg
from riskradar.domain.base import RED_LINES, RISK_TIERS
from riskradar.scoring.model import (
    AgreementInfo,
    AuditInfo,
    FindingGroup,
    NewsGroup,
    Scorer,
    SupplierInputs,
    inherent_exposure,
    spend_percentiles,
)
from riskradar.scoring.reference import CATEGORIES, load_reference
from riskradar.scoring.tiers import band, matrix_tier, tier_actions, tier_name

TODAY = date(2026, 11, 20)
ALL_CLAUSES = tuple(RED_LINES)


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def scorer(ref, **kw):
    return Scorer(ref, today=TODAY, **kw)


def test_every_country_row_has_a_year_for_each_figure(ref):
    for c in ref.countries.values():
        assert (c.cpi is None) == (c.cpi_year is None), c.code
        assert (c.slavery_per_1000 is None) == (c.slavery_year is None), c.code
        assert (c.child_labour_pct is None) == (c.child_labour_year is None), c.code
    assert len([c for c in ref.countries.values() if c.cpi_year and c.cpi_year >= 2023]) >= 40


def test_sources_table_names_every_figure_column():
    text = Path(config_pkg.path("sources.csv")).read_text(encoding="utf-8")
    for column in ("cpi", "slavery_per_1000", "child_labour_pct"):
        assert f"country_risk.csv,{column}," in text
    assert "dol_goods.csv" in text and "industry_risk.csv" in text


def test_industry_aliases_map_chinese_and_english_free_text(ref):
    assert ref.industry_key("深圳电子科技") == "electronics"
    assert ref.industry_key("Apparel & clothing") == "garments"
    assert ref.industry_key("烟花爆竹") == "fireworks"
    assert ref.industry_key("soft drinks") is None  # "ink" must not match inside a word


def test_listed_goods_add_points_to_forced_labour(ref):
    cn = inherent_exposure(ref, "CN", "electronics")
    de = inherent_exposure(ref, "DE", "electronics")
    assert cn.goods_points["forced_labour"] == 2.0
    assert any(g[1] == "Electronics" for g in cn.goods)
    assert de.goods == ()
    assert cn.categories["forced_labour"] > de.categories["forced_labour"]


def test_cpi_drives_bribery_exposure(ref):
    bd = inherent_exposure(ref, "BD", "machinery")  # CPI 24
    dk = inherent_exposure(ref, "DK", "machinery")  # CPI 90
    assert bd.categories["bribery"] > dk.categories["bribery"]


def test_unknown_country_and_industry_use_conservative_defaults(ref):
    exp = inherent_exposure(ref, "ZZ", "underwater basket weaving")
    assert not exp.country_known and exp.industry_key is None
    assert exp.categories["bribery"] == 10 * (5.0 + 3.0)
    result = scorer(ref).score(SupplierInputs(1, country="ZZ", industry="x"))
    assert any("not in the reference tables" in r["en"] for r in result.reasons)


def test_fire_class_raises_fire_exposure(ref):
    assert inherent_exposure(ref, "CN", "fireworks").categories["fire"] > inherent_exposure(ref, "CN", "services").categories["fire"]


def test_no_valid_audit_counts_as_unknown_not_safe(ref):
    s = scorer(ref)
    none = s.score(SupplierInputs(1, country="DE", industry="services"))
    old = s.score(SupplierInputs(1, country="DE", industry="services", audits=[AuditInfo("smeta", TODAY - timedelta(days=800))]))
    fresh = s.score(SupplierInputs(1, country="DE", industry="services", audits=[AuditInfo("smeta", TODAY - timedelta(days=30))]))
    assert none.evidence_unknown and old.evidence_unknown and not fresh.evidence_unknown
    assert none.likelihood == old.likelihood > fresh.likelihood
    assert any("risk unknown" in r["en"] for r in none.reasons)


def test_open_findings_weigh_by_severity_and_overdue(ref):
    s = scorer(ref)
    audit = [AuditInfo("rba", TODAY - timedelta(days=30))]

    def fire(sev, overdue=False):
        inp = SupplierInputs(1, country="CN", industry="electronics", audits=audit,
                             findings=[FindingGroup("fire", sev, "open", overdue, TODAY - timedelta(days=30))])
        return s.score(inp).categories["fire"]

    assert fire("major") > fire("minor") > fire("observation")
    assert fire("major", overdue=True) > fire("major")


def test_zero_tolerance_open_finding_in_red_line_forces_red_line_tier(ref):
    inp = SupplierInputs(1, country="DE", industry="services", audits=[AuditInfo("rba", TODAY)],
                         findings=[FindingGroup("child_labour", "zero_tolerance", "open", False, TODAY)],
                         agreement=AgreementInfo("signed", None, ALL_CLAUSES))
    result = scorer(ref).score(inp)
    assert result.tier == "red_line"
    assert result.reasons[0]["factor"] == "red_line"
    assert "零容忍" in result.reasons[0]["zh"]


def test_zero_tolerance_in_secondary_category_does_not_force_red_line(ref):
    inp = SupplierInputs(1, country="DE", industry="services", audits=[AuditInfo("rba", TODAY)],
                         findings=[FindingGroup("environment", "zero_tolerance", "open", False, TODAY)],
                         agreement=AgreementInfo("signed", None, ALL_CLAUSES))
    assert scorer(ref).score(inp).tier != "red_line"


def test_agreement_states_order(ref):
    s = scorer(ref)

    def bribery(ag):
        return s.score(SupplierInputs(1, country="CN", industry="electronics", agreement=ag)).categories["bribery"]

    signed = bribery(AgreementInfo("signed", None, ALL_CLAUSES))
    missing_bribery = bribery(AgreementInfo("signed", None, ("child_labour", "forced_labour", "fire")))
    assert signed < bribery(AgreementInfo("pending")) < bribery(None) <= bribery(AgreementInfo("refused"))
    assert missing_bribery > signed
    expired = bribery(AgreementInfo("signed", TODAY - timedelta(days=1), ALL_CLAUSES))
    assert expired > signed


def test_news_weight_probability_recency_and_review(ref):
    s = scorer(ref)

    def forced(*groups):
        return s.score(SupplierInputs(1, country="DE", industry="services", news=list(groups))).categories["forced_labour"]

    base = forced()
    fresh = forced(NewsGroup("forced_labour", "unreviewed", 1, 0.9 * 0.7))
    old = forced(NewsGroup("forced_labour", "unreviewed", 400, 0.9 * 0.7))
    weak = forced(NewsGroup("forced_labour", "unreviewed", 1, 0.3 * 0.7))
    dismissed = forced(NewsGroup("forced_labour", "dismissed", 1, 0.9 * 0.7))
    assert fresh > weak > base and fresh > old > base
    assert dismissed == base


def test_confirmed_red_line_news_forces_red_line(ref):
    result = scorer(ref).score(SupplierInputs(1, country="DE", industry="services",
                                              news=[NewsGroup("bribery", "confirmed", 10, 0.5)]))
    assert result.tier == "red_line" and result.categories["bribery"] == 100.0


def test_sme_rating_mitigates_or_aggravates(ref):
    s = scorer(ref)

    def lik(audit):
        return s.score(SupplierInputs(1, country="CN", industry="toys", audits=[audit])).likelihood

    good = lik(AuditInfo("sme", TODAY - timedelta(days=10), score=960))
    bad = lik(AuditInfo("sme", TODAY - timedelta(days=10), score=300))
    no_pre = lik(AuditInfo("sme", TODAY - timedelta(days=10), score=960, preconditions_met=False))
    expired = lik(AuditInfo("sme", TODAY - timedelta(days=400), score=960))
    assert good < expired < bad
    assert no_pre > good


def test_impact_from_spend_criticality_and_tier_level(ref):
    pct = spend_percentiles([10, 20, 30, 40, 1000])
    s = scorer(ref, spend_percentile=pct)
    big = s.score(SupplierInputs(1, country="DE", annual_spend=1000, criticality="single_source", tier_level=1))
    small = s.score(SupplierInputs(2, country="DE", annual_spend=10, criticality="low", tier_level=2))
    assert big.impact > small.impact
    assert any("Single-source" in r["en"] for r in big.reasons)


def test_bands_and_matrix():
    assert [band(v, [20, 40, 60, 80]) for v in (0, 19.9, 20, 59, 80, 100)] == [1, 1, 2, 3, 5, 5]
    assert matrix_tier(1, 1) == "low" and matrix_tier(5, 5) == "high"


def test_tier_actions_in_both_languages():
    assert any("30 days" in a for a in tier_actions("red_line", "en"))
    assert any("30 天" in a for a in tier_actions("red_line", "zh"))
    assert tier_name("high", "zh") == "高风险"
    for t in RISK_TIERS:
        assert tier_actions(t) and tier_actions(t, "zh")
    with pytest.raises(KeyError):
        tier_actions("purple")


def test_reasons_are_bilingual_and_red_lines_first(ref):
    inp = SupplierInputs(1, country="CN", industry="electronics",
                         news=[NewsGroup("wages_hours", "unreviewed", 1, 0.9), NewsGroup("fire", "unreviewed", 1, 0.9)])
    reasons = scorer(ref).score(inp).reasons
    assert reasons and all(r["en"] and r["zh"] for r in reasons)
    cats = [r["category"] for r in reasons if r["factor"] == "news"]
    assert cats.index("fire") < cats.index("wages_hours") if "wages_hours" in cats else "fire" in cats


def test_bad_reference_row_is_reported_with_its_row(tmp_path):
    for name in ("country_risk.csv", "industry_risk.csv", "dol_goods.csv", "risk_model.toml"):
        shutil.copy(config_pkg.path(name), tmp_path / name)
    with open(tmp_path / "dol_goods.csv", "a", encoding="utf-8") as fh:
        fh.write("CN,Widgets,no_such_industry,1,0,2024,transcribed\n")
    with pytest.raises(ValueError, match=r"dol_goods.csv data row \d+: unknown industry"):
        load_reference(tmp_path)


def test_categories_cover_red_lines_then_secondary(ref):
    result = scorer(ref).score(SupplierInputs(1, country="CN"))
    assert list(result.categories) == list(CATEGORIES)
    assert list(CATEGORIES[:4]) == list(RED_LINES)


def test_audit_result_reason_is_in_words_not_a_code(ref):
    s = scorer(ref)
    result = s.score(SupplierInputs(1, country="CN", industry="electronics",
                                    audits=[AuditInfo("sa8000", TODAY - timedelta(days=30), result="not_certified")]))
    texts = [r["en"] for r in result.reasons] + [r["zh"] for r in result.reasons]
    assert any("not certified" in t for t in texts)
    assert not any("not_certified" in t for t in texts)


def test_audit_result_reason_does_not_repeat_the_word_audit(ref):
    s = scorer(ref)
    result = s.score(SupplierInputs(1, country="CN", industry="electronics",
                                    audits=[AuditInfo("customer", TODAY - timedelta(days=30), result="fail")]))
    texts = [r["en"] for r in result.reasons if "result" in r["en"]]
    assert texts and not any("audit audit" in t.lower() for t in texts)
