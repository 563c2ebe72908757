"""One incident is one alert: duplicates update it; throttling limits update notifications."""

from __future__ import annotations

from datetime import timedelta

from alert_factories import make_article, make_supplier
from sqlalchemy import func, select

from riskradar.alerts import service
from riskradar.domain import Alert, AlertEvent, AlertSource, OutboxMessage, utcnow


def test_twenty_reports_of_one_fire_make_one_alert_with_twenty_sources(any_db):
    db, settings = any_db, any_db.settings
    with db.scope() as s:
        sup = make_supplier(s)
        for i in range(20):
            make_article(s, sup, title=f"Outlet {i}: fire at Huaqiang Electronics dormitory")
    with db.scope() as s:
        created = service.detect_alerts(s, settings)
        assert len(created) == 1
    with db.scope() as s:
        alerts = s.scalars(select(Alert)).all()
        assert len(alerts) == 1
        assert alerts[0].source_count == 20
        assert s.scalar(select(func.count()).select_from(AlertSource)) == 20


def test_burst_across_cycles_updates_the_same_alert(db, settings):
    now = utcnow()
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup)
    with db.scope() as s:
        assert len(service.detect_alerts(s, settings, now=now)) == 1
    with db.scope() as s:
        for _ in range(19):
            make_article(s, sup)
    with db.scope() as s:
        assert service.detect_alerts(s, settings, now=now + timedelta(hours=1)) == []
    with db.scope() as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.source_count == 20
        actions = [e.action for e in s.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id))]
        assert actions == ["created", "evidence_added"]


def test_syndicated_article_counts_all_its_outlets(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup, source_count=3)
        make_article(s, sup, source_count=2)
    with db.scope() as s:
        service.detect_alerts(s, settings)
    with db.scope() as s:
        assert s.scalars(select(Alert)).one().source_count == 5


def test_rerunning_detection_after_restart_creates_nothing(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup)
    with db.scope() as s:
        service.detect_alerts(s, settings)
    # A new process: fresh Database object on the same file, same evidence.
    from riskradar.db import Database

    again = Database(settings)
    try:
        with again.scope() as s:
            assert service.detect_alerts(s, settings) == []
        with again.scope() as s:
            assert s.scalar(select(func.count()).select_from(Alert)) == 1
            assert s.scalar(select(func.count()).select_from(AlertSource)) == 1
    finally:
        again.dispose()


def test_same_supplier_other_category_is_another_alert(db, settings):
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup, label="fire")
        make_article(s, sup, label="child_labour", title="Under-age workers found at Huaqiang")
    with db.scope() as s:
        assert sorted(a.category for a in service.detect_alerts(s, settings)) == ["child_labour", "fire"]


def test_evidence_after_the_incident_window_opens_a_new_alert(db, settings):
    now = utcnow()
    with db.scope() as s:
        sup = make_supplier(s)
        make_article(s, sup)
    with db.scope() as s:
        service.detect_alerts(s, settings, now=now)
    with db.scope() as s:
        make_article(s, sup)
    with db.scope() as s:
        created = service.detect_alerts(s, settings, now=now + timedelta(days=8))  # window is 7 days
        assert len(created) == 1
    with db.scope() as s:
        keys = s.scalars(select(Alert.dedupe_key)).all()
        assert len(set(keys)) == 2


def _messages(s, alert_id):
    return s.scalars(select(OutboxMessage).where(OutboxMessage.alert_id == alert_id).order_by(OutboxMessage.id)).all()


def test_updates_are_throttled_per_supplier_and_category(db, settings):
    (settings.data_dir / "alerts.toml").write_text("[throttle]\ndefault_minutes = 60\n[throttle.by_category]\nfire = 60\n")
    now = utcnow()
    with db.scope() as s:
        service.add_channel(s, "webhook", "http://127.0.0.1:9/hook")
        sup = make_supplier(s)
        make_article(s, sup)
    with db.scope() as s:
        alert_id = service.detect_alerts(s, settings, now=now)[0].id
        assert len(_messages(s, alert_id)) == 1  # a new alert always notifies
    for minutes in (10, 20, 30):  # three updates inside the throttle period
        with db.scope() as s:
            make_article(s, sup)
        with db.scope() as s:
            service.detect_alerts(s, settings, now=now + timedelta(minutes=minutes))
    with db.scope() as s:
        assert len(_messages(s, alert_id)) == 1
    with db.scope() as s:  # no new evidence, but the held-back update goes out once the period is over
        service.detect_alerts(s, settings, now=now + timedelta(minutes=61))
        msgs = _messages(s, alert_id)
        assert len(msgs) == 2
        assert msgs[1].payload["event"] == "alert.updated"
        assert msgs[1].payload["alert"]["source_count"] == 4
    with db.scope() as s:  # nothing new: nothing more
        service.detect_alerts(s, settings, now=now + timedelta(minutes=200))
        assert len(_messages(s, alert_id)) == 2


def test_dismissed_alert_absorbs_duplicates_silently(db, settings):
    now = utcnow()
    with db.scope() as s:
        service.add_channel(s, "webhook", "http://127.0.0.1:9/hook")
        sup = make_supplier(s)
        make_article(s, sup)
    with db.scope() as s:
        alert_id = service.detect_alerts(s, settings, now=now)[0].id
        service.dismiss(s, alert_id, None)
    with db.scope() as s:
        make_article(s, sup)
    with db.scope() as s:
        assert service.detect_alerts(s, settings, now=now + timedelta(hours=3)) == []
        assert len(_messages(s, alert_id)) == 1
        assert s.get(Alert, alert_id).source_count == 2
