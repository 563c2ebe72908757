"""Detection rules: which evidence raises an alert, and which does not."""

from __future__ import annotations

from datetime import date, timedelta

from alert_factories import make_article, make_supplier
from sqlalchemy import select

from riskradar.alerts import service
from riskradar.domain import Agreement, Alert, ArticleSupplierLink, Audit, AuditFinding, RiskSnapshot, Supplier


def _detect(db, settings):
    with db.scope() as s:
        return [(a.rule, a.category, a.supplier_id, a.severity) for a in service.detect_alerts(s, settings)]


# --- (a) news ---------------------------------------------------------------------------------

def test_red_line_tag_on_linked_article_alerts(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup, label="child_labour", probability=0.81)
    assert _detect(db, settings) == [("news", "child_labour", sup.id, "high")]


def test_news_below_threshold_undecided_or_not_red_line_does_not_alert(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup, probability=0.3)
        make_article(s, sup, probability=0.9, decided=False)
        make_article(s, sup, label="wages_hours", probability=0.99)
        make_article(s, None, probability=0.99)  # not linked to any supplier
    assert _detect(db, settings) == []


def test_analyst_dismissed_tag_does_not_alert(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        art = make_article(s, sup)
        art.tags[0].review_status = "dismissed"
    assert _detect(db, settings) == []


def test_per_category_threshold_from_the_deployment_config(db, settings):
    (settings.data_dir / "alerts.toml").write_text("[rules.news.min_probability_by_category]\nbribery = 0.9\n")
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup, label="bribery", probability=0.85)
        make_article(s, sup, label="fire", probability=0.85)
    assert [c for _, c, _, _ in _detect(db, settings)] == ["fire"]


def test_supplier_linked_after_the_tag_was_read_still_alerts(db, settings):
    with db.scope() as s:
        art = make_article(s, None)
    assert _detect(db, settings) == []  # tag read, no supplier yet
    with db.scope() as s:
        sup = make_supplier(s, name_en="Late Import Ltd")
        s.add(ArticleSupplierLink(article_id=art.id, supplier_id=sup.id, matched_text="Late Import"))
    assert _detect(db, settings) == [("news", "fire", sup.id, "high")]


def test_disabled_rule_is_skipped(db, settings):
    (settings.data_dir / "alerts.toml").write_text("[rules.news]\nenabled = false\n")
    with db.scope() as s:
        make_article(s, make_supplier(s))
    assert _detect(db, settings) == []


# --- (b) audit findings -----------------------------------------------------------------------

def _finding(s, sup, *, category="forced_labour", severity="zero_tolerance", status="open", ref="F1"):
    audit = s.scalar(select(Audit).where(Audit.supplier_id == sup.id))
    if audit is None:
        audit = Audit(external_ref=f"A-{sup.id}", supplier_id=sup.id, scheme="rba", audit_date=date(2026, 10, 1))
        s.add(audit)
        s.flush()
    f = AuditFinding(audit_id=audit.id, supplier_id=sup.id, finding_ref=ref, category=category, severity=severity,
                     status=status, description="Passports of 12 migrant workers held by the employer")
    s.add(f)
    s.flush()
    return f


def test_open_zero_tolerance_finding_alerts(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        _finding(s, sup)
    assert _detect(db, settings) == [("audit_finding", "forced_labour", sup.id, "critical")]
    with db.scope() as s:
        alert = s.scalars(select(Alert)).one()
        assert "Passports" in alert.title and alert.sources[0].kind == "finding"
        assert alert.title_zh.startswith("强迫劳动：") and "问题" in alert.title_zh and "Forced" not in alert.title_zh


def test_closed_minor_or_non_red_line_findings_do_not_alert(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        _finding(s, sup, status="closed", ref="F1")
        _finding(s, sup, severity="major", ref="F2")
        _finding(s, sup, category="environment", ref="F3")
    assert _detect(db, settings) == []


# --- (c) agreements -----------------------------------------------------------------------------

def test_refused_agreement_at_high_tier_supplier_alerts(db, settings):
    with db.scope() as s:
        high = make_supplier(s, tier="high")
        low = make_supplier(s, tier="low", name_en="Low Risk Ltd")
        s.add_all([Agreement(supplier_id=high.id, version="2025", status="refused"),
                   Agreement(supplier_id=low.id, version="2025", status="refused")])
    assert _detect(db, settings) == [("agreement", "agreement", high.id, "high")]


def test_signed_agreement_missing_red_line_clauses_alerts(db, settings):
    with db.scope() as s:
        sup = make_supplier(s, tier="red_line")
        full = make_supplier(s, tier="red_line", name_en="Complete Ltd")
        s.add(Agreement(supplier_id=sup.id, version="v3", status="signed", signed_date=date(2026, 1, 5),
                        clauses_acknowledged=["fire", "bribery"]))
        s.add(Agreement(supplier_id=full.id, version="v3", status="signed", signed_date=date(2026, 1, 5),
                        clauses_acknowledged=["child_labour", "forced_labour", "bribery", "fire"]))
    assert _detect(db, settings) == [("agreement", "agreement", sup.id, "critical")]
    with db.scope() as s:
        alert = s.scalars(select(Alert)).one()
        evidence = alert.evidence[0]
        assert "Child labour" in evidence["text"] and "Forced labour" in evidence["text"]
        assert "童工" in evidence["zh"] and "强迫劳动" in evidence["zh"]
        assert "缺少红线条款" in alert.title_zh and "lacks" not in alert.title_zh


def test_supplier_entering_high_tier_with_expired_agreement_alerts(any_db):
    db, settings = any_db, any_db.settings
    with db.scope() as s:
        sup = make_supplier(s, tier="medium")
        s.add(Agreement(supplier_id=sup.id, version="2023", status="signed", signed_date=date(2023, 1, 1),
                        expiry_date=date.today() - timedelta(days=3),
                        clauses_acknowledged=["child_labour", "forced_labour", "bribery", "fire"]))
    assert _detect(db, settings) == []  # medium tier: no agreement alert
    with db.scope() as s:
        s.get(Supplier, sup.id).risk_tier = "high"
        s.add(RiskSnapshot(supplier_id=sup.id, score=71, likelihood=70, impact=60, likelihood_band=4,
                           impact_band=3, tier="high", previous_tier="medium"))
    found = _detect(db, settings)
    assert ("agreement", "agreement", sup.id, "high") in found
    assert ("tier_change", "tier_change", sup.id, "high") in found


# --- (d) tier changes ---------------------------------------------------------------------------

def _snapshot(s, sup, tier, previous):
    s.add(RiskSnapshot(supplier_id=sup.id, score=80, likelihood=80, impact=70, likelihood_band=5, impact_band=4,
                       tier=tier, previous_tier=previous,
                       reasons=[{"factor": "news", "en": "Fire reported", "zh": "火灾报道", "weight": 1}]))


def test_moving_up_into_high_or_red_line_alerts_but_not_down_or_first_score(db, settings):
    with db.scope() as s:
        up = make_supplier(s, name_en="Up Ltd")
        red = make_supplier(s, name_en="Red Ltd")
        down = make_supplier(s, name_en="Down Ltd")
        first = make_supplier(s, name_en="New Ltd")
        _snapshot(s, up, "high", "medium")
        _snapshot(s, red, "red_line", "high")
        _snapshot(s, down, "high", "red_line")
        _snapshot(s, first, "red_line", None)
    found = sorted(_detect(db, settings), key=lambda r: r[2])
    assert found == [("tier_change", "tier_change", up.id, "high"), ("tier_change", "tier_change", red.id, "critical")]


def test_tier_change_titles_are_each_in_one_language(db, settings):
    with db.scope() as s:
        sup = make_supplier(s, name_en="Blue Nile Garment PLC", name_zh=None)
        _snapshot(s, sup, "red_line", "low")
    _detect(db, settings)
    with db.scope() as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.title_zh == "风险等级上升：Blue Nile Garment PLC — 风险等级 低风险 → 红线（风险分 80）"
        assert alert.title == "Risk tier raised: Blue Nile Garment PLC — Risk tier low → red line (score 80)"


def test_rules_only_read_new_evidence(any_db):
    db, settings = any_db, any_db.settings
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup)
        _finding(s, sup)
    assert len(_detect(db, settings)) == 2
    assert _detect(db, settings) == []
    with db.scope() as s:
        from riskradar.alerts.rules import watermarks

        marks = watermarks(s)
        assert marks["news_tags"]["last_id"] >= 1 and marks["audit_findings"]["last_id"] >= 1


def test_broken_deployment_config_is_reported_with_its_path(db, settings):
    import pytest

    bad = settings.data_dir / "alerts.toml"
    bad.write_text("[rules.news\nmin_probability = 0.5\n")
    with db.scope() as s:
        with pytest.raises(ValueError, match=str(bad).replace(".", r"\.")):
            service.detect_alerts(s, settings)
