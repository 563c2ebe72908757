"""The scoring service on a real (migrated SQLite) database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from riskradar.domain import RiskSnapshot, ScoringRun, Supplier
from riskradar.scoring.service import describe_change, score_suppliers, supplier_risk, tier_changes

from scoring_builders import NOW, TODAY, build  # noqa: F401 - the fixture


def _snapshots(session, supplier_id=None):
    stmt = select(RiskSnapshot).order_by(RiskSnapshot.id)
    if supplier_id is not None:
        stmt = stmt.where(RiskSnapshot.supplier_id == supplier_id)
    return session.scalars(stmt).all()


def test_full_run_stores_a_snapshot_per_supplier_and_updates_suppliers(session, settings, build):
    a, b = build.supplier(), build.supplier(country="DE", industry="services")
    session.commit()
    run = score_suppliers(session, settings, full=True, now=NOW)
    assert run.suppliers_scored == 2 and run.finished_at is not None
    snaps = _snapshots(session)
    assert [s.supplier_id for s in snaps] == [a.id, b.id]
    assert all(s.run_id == run.id and 1 <= s.likelihood_band <= 5 and 1 <= s.impact_band <= 5 for s in snaps)
    assert all(set(s.categories) >= {"child_labour", "forced_labour", "bribery", "fire"} for s in snaps)
    session.expire_all()
    for sup, snap in zip((a, b), snaps):
        sup = session.get(Supplier, sup.id)
        assert sup.risk_score == snap.score and sup.risk_tier == snap.tier
        assert sup.scored_at is not None and sup.needs_rescore is False


def test_incremental_run_scores_only_flagged_suppliers(session, settings, build):
    a, b = build.supplier(), build.supplier()
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    session.execute(Supplier.__table__.update().where(Supplier.id == b.id).values(needs_rescore=True))
    session.commit()
    run = score_suppliers(session, settings, now=NOW + timedelta(hours=1))
    assert run.suppliers_scored == 1
    assert [s.supplier_id for s in _snapshots(session) if s.run_id == run.id] == [b.id]
    empty = score_suppliers(session, settings, now=NOW + timedelta(hours=2))
    assert empty.suppliers_scored == 0
    assert session.scalar(select(func.count()).select_from(ScoringRun)) == 3


def test_tier_change_is_recorded_with_previous_tier_and_because(session, settings, build):
    sup = build.supplier(country="DE", industry="services", criticality="low")
    build.audit(sup, scheme="smeta")
    build.agreement(sup)
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW - timedelta(days=5))
    first = session.get(Supplier, sup.id).risk_tier
    build.alert(sup, "forced_labour", status="confirmed")
    session.commit()
    score_suppliers(session, settings, supplier_ids=[sup.id], now=NOW)
    last = _snapshots(session, sup.id)[-1]
    assert last.previous_tier == first and last.tier == "red_line" and first != "red_line"
    changes = tier_changes(session)
    assert changes[0]["supplier_id"] == sup.id and changes[0]["from_tier"] == first and changes[0]["to_tier"] == "red_line"
    assert changes[0]["because_en"].startswith(f"moved from {first} to red_line on {TODAY.isoformat()} because RED LINE")
    assert "红线" in changes[0]["because_zh"]
    assert tier_changes(session, since=NOW + timedelta(days=1)) == []
    assert describe_change(last, "en") == changes[0]["because_en"]


def test_confirmed_red_line_news_puts_supplier_in_red_line(session, settings, build):
    sup = build.supplier(country="DE", industry="services")
    build.article(sup, "child_labour", review_status="confirmed", probability=0.4)
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    assert session.get(Supplier, sup.id).risk_tier == "red_line"


def test_open_zero_tolerance_finding_puts_supplier_in_red_line(session, settings, build):
    sup = build.supplier(country="DE", industry="services")
    build.audit(sup, findings=[("bribery", "zero_tolerance", "open")])
    ok = build.supplier(country="DE", industry="services")
    build.audit(ok, findings=[("bribery", "zero_tolerance", "closed")])
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    assert session.get(Supplier, sup.id).risk_tier == "red_line"
    assert session.get(Supplier, ok.id).risk_tier != "red_line"


def test_dismissed_news_has_no_weight_and_unreviewed_news_raises_risk(session, settings, build):
    quiet, dismissed, noisy = (build.supplier(country="DE", industry="services") for _ in range(3))
    build.article(dismissed, "forced_labour", review_status="dismissed")
    build.article(noisy, "forced_labour", probability=0.95)
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    cats = {s.supplier_id: s.categories["forced_labour"] for s in _snapshots(session)}
    assert cats[dismissed.id] == cats[quiet.id] < cats[noisy.id]


def test_old_news_weighs_less_than_fresh_news(session, settings, build):
    fresh, old = build.supplier(country="DE"), build.supplier(country="DE")
    build.article(fresh, "fire", age_days=2)
    build.article(old, "fire", age_days=400)
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    cats = {s.supplier_id: s.categories["fire"] for s in _snapshots(session)}
    assert cats[fresh.id] > cats[old.id]


def test_supplier_risk_explains_tier_actions_breakdown_and_history(session, settings, build):
    sup = build.supplier()
    build.audit(sup, findings=[("fire", "major", "open")], cap_due=TODAY - timedelta(days=3))
    build.agreement(sup, status="pending", clauses=())
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    data = supplier_risk(session, sup.id, settings=settings, now=NOW)
    assert data["latest"]["tier"] == data["tier"]["tier"]
    assert data["tier"]["actions_en"] and data["tier"]["actions_zh"]
    assert data["current"]["breakdown"]["fire"]["audit"] > 0
    assert data["overdue_corrective_actions"] == 1
    assert data["agreement"]["status"] == "pending" and set(data["agreement"]["missing_clauses"]) == {
        "child_labour", "forced_labour", "bribery", "fire"}
    assert len(data["history"]) == 1
    assert all(r["en"] and r["zh"] for r in data["reasons"])


def test_rescoring_same_inputs_gives_same_scores(session, settings, build):
    sup = build.supplier()
    build.article(sup, "bribery")
    session.commit()
    score_suppliers(session, settings, full=True, now=NOW)
    score_suppliers(session, settings, full=True, now=NOW)
    first, second = _snapshots(session, sup.id)
    assert (first.score, first.categories, first.inputs_hash) == (second.score, second.categories, second.inputs_hash)
    assert second.previous_tier == first.tier


def test_stored_snapshot_reads_back_exactly_and_keeps_updated_at(any_db):
    """Both write paths (raw SQLite executemany, Core on PostgreSQL) store what the ORM reads back."""
    from scoring_builders import Build

    with any_db.session() as session:
        b = Build(session)
        sup = b.supplier()
        b.article(sup, "fire", age_days=10)
        b.audit(sup, findings=[("fire", "major", "open")], cap_due=TODAY - timedelta(days=1))
        session.commit()
        updated_at = sup.updated_at
        score_suppliers(session, any_db.settings, full=True, now=NOW)
        snap = _snapshots(session, sup.id)[0]
        assert snap.computed_at == NOW
        assert isinstance(snap.categories, dict) and isinstance(snap.reasons, list) and snap.reasons[0]["zh"]
        fresh = session.get(Supplier, sup.id)
        assert fresh.scored_at == NOW and fresh.risk_tier == snap.tier and fresh.needs_rescore is False
        assert fresh.updated_at == updated_at
        breakdown = supplier_risk(session, sup.id, now=NOW)["current"]["breakdown"]["fire"]
        assert breakdown["news"] > 0 and breakdown["audit"] > 0
