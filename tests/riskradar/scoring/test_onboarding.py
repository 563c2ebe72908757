"""Onboarding check: fuzzy matching of vendor names and the approve / conditional / reject decision."""

from __future__ import annotations

import pytest

from riskradar.scoring.onboarding import check_vendor

from scoring_builders import NOW, build  # noqa: F401 - the fixture


def codes(items):
    return [i["code"] for i in items]


def test_unknown_vendor_in_high_risk_country_is_conditional_with_named_conditions(session, settings, build):
    build.supplier(name_zh="无关公司", name_en="Unrelated Ltd")
    session.commit()
    result = check_vendor(session, settings, name="Dhaka Knit Garments Ltd", country="BD", industry="garments", now=NOW)
    assert result["decision"] == "conditional"
    assert result["matches"] == []
    assert "new_vendor" in codes(result["reasons"])
    conds = {c["code"]: c for c in result["conditions"]}
    assert {"sign_agreement", "pass_audit"} <= set(conds)
    assert conds["pass_audit"]["scheme"] == "bsci" and conds["pass_audit"]["due_days"] == 30
    assert "amfori BSCI" in conds["pass_audit"]["en"] and "30 天" in conds["pass_audit"]["zh"]
    assert all(c["en"] and c["zh"] for c in result["conditions"])
    assert result["exposure"]["categories"]["forced_labour"] >= 55


def test_matched_supplier_with_open_zero_tolerance_finding_is_rejected(session, settings, build):
    sup = build.supplier(name_zh="东莞明辉塑胶制品有限公司", name_en="Dongguan Minghui Plastic Products Co., Ltd.")
    build.audit(sup, findings=[("child_labour", "zero_tolerance", "open")])
    session.commit()
    result = check_vendor(session, settings, name="东莞明辉塑胶制品", now=NOW)
    assert result["decision"] == "reject"
    assert "zero_tolerance_finding" in codes(result["reasons"])
    assert result["matches"][0]["supplier_id"] == sup.id
    assert result["conditions"] == []


def test_matched_supplier_with_confirmed_red_line_alert_is_rejected(session, settings, build):
    sup = build.supplier(name_en="Acme Fireworks Co., Ltd.", name_zh=None, industry="fireworks")
    build.alert(sup, "fire")
    session.commit()
    result = check_vendor(session, settings, name="ACME Fireworks", now=NOW)
    assert result["decision"] == "reject"
    assert "confirmed_red_line" in codes(result["reasons"])


@pytest.mark.parametrize("query", ["深圳华强电子", "深圳华强电子有限公司", "深圳華強電子股份有限公司"])
def test_chinese_name_matches_with_or_without_legal_suffix(session, settings, build, query):
    sup = build.supplier(name_zh="深圳华强电子有限公司", name_en=None)
    build.supplier(name_zh="广州白云服装厂", name_en=None)
    session.commit()
    result = check_vendor(session, settings, name=query, now=NOW)
    assert result["matches"][0]["supplier_id"] == sup.id
    assert result["matches"][0]["match_score"] >= 92
    assert result["supplier"]["supplier_id"] == sup.id


@pytest.mark.parametrize("query", ["Shenzhen Huaqiang Electronics", "SHENZHEN HUAQIANG ELECTRONICS CO., LTD.",
                                   "Shenzhen Huaqiang Electronics Company Limited"])
def test_english_name_matches_ignoring_co_ltd(session, settings, build, query):
    sup = build.supplier(name_zh=None, name_en="Shenzhen Huaqiang Electronics Co., Ltd.")
    build.supplier(name_zh=None, name_en="Shanghai Bright Textiles Co., Ltd.")
    session.commit()
    result = check_vendor(session, settings, name=query, now=NOW)
    assert [m["supplier_id"] for m in result["matches"]][:1] == [sup.id]
    assert result["matches"][0]["match_score"] >= 92


def test_low_risk_new_vendor_is_approved(session, settings, build):
    session.commit()
    result = check_vendor(session, settings, name="Nordic Software Consulting AB", country="SE", industry="services", now=NOW)
    assert result["decision"] == "approve"
    assert result["conditions"] == []


def test_news_mentioning_the_name_adds_a_review_condition(session, settings, build):
    other = build.supplier(name_zh="别的公司", name_en="Other Co")
    build.article(other, "forced_labour", probability=0.9, title="Workers at Lotus Wig Factory say passports were withheld")
    session.commit()
    result = check_vendor(session, settings, name="Lotus Wig Factory", country="DE", industry="services", now=NOW)
    assert result["news"]["title_matches"] and result["news"]["title_matches"][0]["tags"][0]["label"] == "forced_labour"
    assert "review_news" in codes(result["conditions"])
    assert result["decision"] == "conditional"


def test_index_sees_suppliers_added_after_the_first_check(session, settings, build):
    session.commit()
    assert check_vendor(session, settings, name="Qingdao Haier Parts", now=NOW)["matches"] == []
    sup = build.supplier(name_en="Qingdao Haier Parts Co., Ltd.", name_zh=None)
    session.commit()
    assert check_vendor(session, settings, name="Qingdao Haier Parts", now=NOW)["matches"][0]["supplier_id"] == sup.id


def test_matches_report_existing_risk_scores(session, settings, build):
    from riskradar.scoring.service import score_suppliers

    sup = build.supplier(name_zh="苏州恒信五金有限公司", name_en=None, industry="metals")
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    match = check_vendor(session, settings, name="苏州恒信五金", now=NOW)["matches"][0]
    assert match["supplier_id"] == sup.id and match["risk_score"] is not None and match["risk_tier"]


def test_empty_name_is_rejected_with_a_clear_error(session, settings):
    with pytest.raises(ValueError, match="empty"):
        check_vendor(session, settings, name=" ，。 ")


def test_unknown_country_is_a_clear_error(session, settings):
    with pytest.raises(ValueError):
        check_vendor(session, settings, name="Some Vendor", country="Atlantis")


def test_name_index_follows_renames_and_deletions(session, build):
    from riskradar.scoring.onboarding import name_index

    sup = build.supplier(name_en="Old Name Plastics Co., Ltd.", name_zh=None)
    gone = build.supplier(name_en="Vanishing Textiles Ltd", name_zh=None)
    session.commit()
    idx = name_index(session)
    assert idx.search("Old Name Plastics", cutoff=80, limit=5)[0][0] == sup.id
    sup.name_en = "Brand New Plastics Co., Ltd."
    session.commit()
    idx = name_index(session, max_age_seconds=0)
    assert idx.search("Brand New Plastics", cutoff=80, limit=5)[0][0] == sup.id
    assert idx.search("Old Name Plastics", cutoff=90, limit=5) == []
    session.delete(gone)
    session.commit()
    assert name_index(session).search("Vanishing Textiles", cutoff=90, limit=5) == []


def test_warm_name_index_prepares_the_cache(db, session, build):
    from riskradar.scoring.onboarding import warm_name_index

    build.supplier(name_zh="厦门鑫达鞋业有限公司", name_en="Xiamen Xinda Footwear Co., Ltd.", short_name="鑫达")
    session.commit()
    assert warm_name_index(db) == 3


def test_known_supplier_with_valid_audit_and_agreement_needs_no_new_audit(session, settings, build):
    sup = build.supplier(name_zh="昆山立讯精密电子有限公司", name_en=None, industry="electronics")
    build.audit(sup, scheme="rba")
    build.agreement(sup)
    session.commit()
    result = check_vendor(session, settings, name="昆山立讯精密电子", now=NOW)
    assert result["supplier"]["supplier_id"] == sup.id
    assert "pass_audit" not in codes(result["conditions"])
    assert "sign_agreement" not in codes(result["conditions"])
