"""Dashboard aggregate queries against a real (SQLite) database with known rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from dashboards.queries import Filters, TTLCache, dashboard_data, supplier_page
from riskradar.domain import Agreement, Alert, Audit, AuditFinding, RiskSnapshot, Supplier

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def _supplier(session: Session, ref: str, country: str, tier: str | None, score: float | None, spend: float = 100.0) -> Supplier:
    s = Supplier(external_ref=ref, name_zh=f"供应商{ref}", country=country, industry="textiles", annual_spend=spend,
                 risk_tier=tier, risk_score=score)
    session.add(s)
    session.flush()
    return s


def _snapshot(session: Session, s: Supplier, lb: int, ib: int, tier: str, prev: str | None = None,
              at: datetime = NOW) -> None:
    session.add(RiskSnapshot(supplier_id=s.id, computed_at=at, score=50.0, likelihood=lb * 20.0, impact=ib * 20.0,
                             likelihood_band=lb, impact_band=ib, tier=tier, previous_tier=prev))


def test_tiles_count_what_they_say(session: Session) -> None:
    a = _supplier(session, "A", "CN", "red_line", 90)
    b = _supplier(session, "B", "CN", "low", 10)
    c = _supplier(session, "C", "VN", "high", 70)
    _supplier(session, "D", "VN", None, None)
    session.add_all([
        Agreement(supplier_id=a.id, version="1", status="signed", signed_date=TODAY - timedelta(days=10),
                  expiry_date=TODAY + timedelta(days=10)),
        Agreement(supplier_id=b.id, version="1", status="signed", signed_date=TODAY - timedelta(days=400),
                  expiry_date=TODAY - timedelta(days=1)),  # expired: not covered
        Alert(supplier_id=a.id, category="fire", rule="news", dedupe_key="k1", status="new", title="t"),
        Alert(supplier_id=a.id, category="fire", rule="news", dedupe_key="k2", status="resolved", title="t"),
        Alert(supplier_id=b.id, category="wages_hours", rule="news", dedupe_key="k3", status="new", title="t"),
    ])
    audit = Audit(external_ref="AU1", supplier_id=b.id, scheme="rba", audit_date=TODAY - timedelta(days=800))
    session.add(audit)
    session.flush()
    session.add_all([
        AuditFinding(audit_id=audit.id, supplier_id=b.id, finding_ref="1", category="fire", severity="major",
                     status="open", cap_due_date=TODAY - timedelta(days=1)),
        AuditFinding(audit_id=audit.id, supplier_id=b.id, finding_ref="2", category="fire", severity="major",
                     status="closed", cap_due_date=TODAY - timedelta(days=1)),
        AuditFinding(audit_id=audit.id, supplier_id=b.id, finding_ref="3", category="fire", severity="major",
                     status="open", cap_due_date=TODAY + timedelta(days=1)),
    ])
    session.commit()
    data = dashboard_data(session, Filters(), today=TODAY, validity_months=24)
    assert data["tiers"] == {"low": 1, "medium": 0, "high": 1, "red_line": 1, "unscored": 1}
    assert data["open_redline_alerts"] == 1
    assert data["agreements"] == {"covered": 1, "total": 4, "share": 0.25}
    # b: last audit older than 24 months; a, c: high / red-line never audited.
    assert data["audits_overdue"] == 3
    assert data["caps_overdue"] == 1
    vn = dashboard_data(session, Filters(country="VN"), today=TODAY)
    assert vn["tiers"]["high"] == 1 and vn["open_redline_alerts"] == 0
    assert c.id  # used


def test_risk_matrix_uses_only_the_latest_snapshot(session: Session) -> None:
    a = _supplier(session, "A", "CN", "high", 70, spend=1000)
    b = _supplier(session, "B", "CN", "low", 10, spend=5)
    _snapshot(session, a, 1, 1, "low", at=NOW - timedelta(days=30))
    _snapshot(session, a, 4, 5, "high", prev="low")
    _snapshot(session, b, 4, 5, "high", at=NOW - timedelta(days=1))
    _snapshot(session, b, 1, 2, "low", prev="high")
    session.commit()
    cells = {(c["likelihood_band"], c["impact_band"]): c for c in dashboard_data(session, Filters(), today=TODAY)["matrix"]}
    assert set(cells) == {(4, 5), (1, 2)}
    assert cells[(4, 5)]["count"] == 1 and cells[(4, 5)]["spend"] == 1000
    rows, total = supplier_page(session, Filters(likelihood_band=4, impact_band=5))
    assert total == 1 and rows[0].external_ref == "A"
    movers = dashboard_data(session, Filters(), today=TODAY)["movers"]
    assert [(m["ref"], m["from"], m["to"]) for m in movers][:2] == [("A", "low", "high"), ("B", "high", "low")]


def test_cache_serves_the_same_answer_within_its_ttl(session: Session) -> None:
    _supplier(session, "A", "CN", "low", 1)
    session.commit()
    cache = TTLCache()
    first = dashboard_data(session, Filters(), today=TODAY, cache=cache, ttl=60)
    _supplier(session, "B", "CN", "low", 1)
    session.commit()
    assert dashboard_data(session, Filters(), today=TODAY, cache=cache, ttl=60)["tiers"] == first["tiers"]
    assert dashboard_data(session, Filters(), today=TODAY, cache=cache, ttl=0)["tiers"]["low"] == 2


def test_stale_entries_are_served_while_one_thread_recomputes() -> None:
    import threading
    import time

    cache = TTLCache()
    calls: list[int] = []
    done = threading.Event()

    def compute() -> int:
        calls.append(1)
        if len(calls) > 1:
            done.set()
        return len(calls)

    assert cache.get_or_compute("k", 0.05, compute, stale_ttl=60) == 1
    time.sleep(0.08)
    assert cache.get_or_compute("k", 0.05, compute, stale_ttl=60) == 1  # stale, served at once
    assert done.wait(5)
    time.sleep(0.05)
    assert cache.get_or_compute("k", 10, compute, stale_ttl=60) == 2
    assert len(calls) == 2


def _shared(directory):  # type: ignore[no-untyped-def]
    import diskcache

    return diskcache.Cache(str(directory))


def test_a_value_computed_by_another_process_is_reused_from_the_shared_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    script = ("import sys, diskcache; from dashboards.queries import TTLCache; c = TTLCache(); "
              "c.share_through(diskcache.Cache(sys.argv[1])); print(c.get_or_compute(('page', 1), 60, lambda: 'theirs'))")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "theirs"
    mine = TTLCache()
    mine.share_through(_shared(tmp_path))
    assert mine.get_or_compute(("page", 1), 60, lambda: "computed here") == "theirs"


def test_a_shared_copy_older_than_the_ttl_is_recomputed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import time

    store = _shared(tmp_path)
    store.set(repr("k"), (time.time() - 120, "old"))
    cache = TTLCache()
    cache.share_through(store)
    assert cache.get_or_compute("k", 30, lambda: "new") == "new"
    assert store.get(repr("k"))[1] == "new"  # and the fresh value is shared in turn


def test_a_failing_shared_store_only_costs_a_recomputation() -> None:
    class Broken:
        def get(self, key):  # type: ignore[no-untyped-def]
            raise OSError("disk gone")

        def set(self, key, value, expire=None):  # type: ignore[no-untyped-def]
            raise OSError("disk gone")

    cache = TTLCache()
    cache.share_through(Broken())
    assert cache.get_or_compute("k", 30, lambda: 7) == 7
    assert cache.get_or_compute("k", 30, lambda: 8) == 7  # the in-process level still works


def test_redline_events_count_incidents_by_first_seen_month(session: Session) -> None:
    a = _supplier(session, "EA", "CN", "red_line", 90)
    b = _supplier(session, "EB", "VN", "high", 70)

    def alert(key: str, sup: Supplier, category: str, status: str, at: datetime) -> Alert:
        return Alert(supplier_id=sup.id, category=category, rule="audit_finding", dedupe_key=key, status=status,
                     title="t", first_seen_at=at, last_seen_at=at)

    session.add_all([
        alert("e1", a, "fire", "new", datetime(2025, 5, 20, tzinfo=timezone.utc)),
        alert("e2", a, "fire", "confirmed", datetime(2025, 5, 3, tzinfo=timezone.utc)),
        alert("e3", b, "child_labour", "resolved", datetime(2025, 3, 9, tzinfo=timezone.utc)),
        alert("e4", b, "bribery", "dismissed", datetime(2025, 5, 9, tzinfo=timezone.utc)),  # false positive
        alert("e5", b, "tier_change", "new", datetime(2025, 5, 9, tzinfo=timezone.utc)),  # not a red line
        alert("e6", a, "fire", "new", datetime(2023, 1, 9, tzinfo=timezone.utc)),  # before the range
    ])
    session.commit()
    events = dashboard_data(session, Filters(), today=TODAY)["events"]
    assert sorted((e["month"], e["label"], e["count"]) for e in events) == [
        ("2025-03", "child_labour", 1), ("2025-05", "fire", 2)]
    only_vn = dashboard_data(session, Filters(country="VN"), today=TODAY)["events"]
    assert [(e["label"], e["count"]) for e in only_vn] == [("child_labour", 1)]


def test_events_months_cover_the_default_year_and_a_chosen_period() -> None:
    from dashboards.queries import events_months

    year = events_months(Filters(), TODAY)
    assert len(year) == 12 and year[0] == "2024-07" and year[-1] == "2025-06"
    assert events_months(Filters(date_from=date(2024, 11, 20), date_to=date(2025, 2, 1)), TODAY) == [
        "2024-11", "2024-12", "2025-01", "2025-02"]
