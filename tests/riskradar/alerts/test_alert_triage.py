"""Triage: every step recorded with who and when; confirmation and dismissal feed scoring and training."""

from __future__ import annotations

from datetime import date

import pytest
from alert_factories import make_article, make_supplier, make_user
from sqlalchemy import select

from riskradar.alerts import service
from riskradar.domain import ArticleTag, Supplier, TrainingExample


def _alert(db, settings, n_articles=2):
    with db.scope() as s:
        sup = make_supplier(s)
        arts = [make_article(s, sup, title=f"Fire at Huaqiang plant, report {i}") for i in range(n_articles)]
        user = make_user(s)
        other = make_user(s, "buyer", "procurement")
    with db.scope() as s:
        alert = service.detect_alerts(s, settings)[0]
        s.get(Supplier, sup.id).needs_rescore = False
    return alert.id, sup.id, [a.id for a in arts], user.id, other.id


def test_full_triage_history_names_who_did_what(db, settings):
    alert_id, _, _, user_id, other_id = _alert(db, settings)
    with db.scope() as s:
        service.acknowledge(s, alert_id, user_id)
        service.assign(s, alert_id, user_id, other_id)
        service.comment(s, alert_id, other_id, "Called the supplier; site visit tomorrow")
        service.confirm(s, alert_id, other_id, "Confirmed by site visit")
        service.resolve(s, alert_id, user_id, "Supplier suspended; CAP agreed")
    with db.scope() as s:
        history = service.alert_history(s, alert_id)
        alert = service.get_alert(s, alert_id)
        assert (alert.status, alert.assignee_id, alert.resolution_note) == ("resolved", other_id, "Supplier suspended; CAP agreed")
    steps = [(h["action"], h["actor_id"]) for h in history]
    assert steps == [("created", None), ("acknowledged", user_id), ("assigned", user_id), ("commented", other_id),
                     ("confirmed", other_id), ("resolved", user_id)]
    assert history[3]["note"] == "Called the supplier; site visit tomorrow"
    assert history[1]["actor"].startswith("csr_lead")
    assert all(h["at"] is not None for h in history)
    assert history[2]["data"]["assignee_id"] == other_id


def test_confirm_marks_tags_confirmed_and_supplier_for_rescoring(db, settings):
    alert_id, supplier_id, article_ids, user_id, _ = _alert(db, settings)
    with db.scope() as s:
        service.confirm(s, alert_id, user_id)
    with db.scope() as s:
        tags = s.scalars(select(ArticleTag).where(ArticleTag.article_id.in_(article_ids))).all()
        assert {(t.review_status, t.reviewed_by) for t in tags} == {("confirmed", user_id)}
        assert s.get(Supplier, supplier_id).needs_rescore is True
        positives = s.scalars(select(TrainingExample)).all()
        assert sorted(e.article_id for e in positives) == sorted(article_ids)
        assert all(e.labels == ["fire"] and e.negative_labels == [] for e in positives)


def test_dismiss_stores_negative_training_examples(db, settings):
    alert_id, _, article_ids, user_id, _ = _alert(db, settings)
    with db.scope() as s:
        service.dismiss(s, alert_id, user_id, "Fire drill, not a fire")
    with db.scope() as s:
        tags = s.scalars(select(ArticleTag).where(ArticleTag.article_id.in_(article_ids))).all()
        assert {t.review_status for t in tags} == {"dismissed"}
        examples = s.scalars(select(TrainingExample).order_by(TrainingExample.article_id)).all()
        assert [e.article_id for e in examples] == sorted(article_ids)
        assert all(e.negative_labels == ["fire"] and e.labels == [] and e.created_by == user_id for e in examples)
        assert examples[0].text.startswith("Fire at Huaqiang plant")
        assert service.alert_history(s, alert_id)[-1]["note"] == "Fire drill, not a fire"


def test_invalid_steps_are_refused_with_a_reason(db, settings):
    alert_id, _, _, user_id, _ = _alert(db, settings)
    with db.scope() as s:
        service.dismiss(s, alert_id, user_id)
    with db.scope() as s:
        with pytest.raises(ValueError, match="is dismissed; it cannot become confirmed"):
            service.confirm(s, alert_id, user_id)
        with pytest.raises(ValueError, match="needs a note"):
            service.resolve(s, alert_id, user_id, "  ")
        with pytest.raises(ValueError, match="needs text"):
            service.comment(s, alert_id, user_id, "")
        with pytest.raises(service.NotFound):
            service.acknowledge(s, 99999, user_id)
        with pytest.raises(service.NotFound, match="assignee 4242"):
            service.assign(s, alert_id, user_id, 4242)


def test_list_alerts_filters_and_counts(db, settings):
    _alert(db, settings)
    with db.scope() as s:
        make_article(s, make_supplier(s, name_en="Other Ltd"), label="bribery", title="Kickbacks paid by Other Ltd")
    with db.scope() as s:
        service.detect_alerts(s, settings)
    with db.scope() as s:
        rows, total = service.list_alerts(s)
        assert total == 2 and len(rows) == 2
        rows, total = service.list_alerts(s, category="bribery")
        assert total == 1 and rows[0].category == "bribery"
        assert service.list_alerts(s, status="resolved") == ([], 0)
        with pytest.raises(ValueError, match="unknown status"):
            service.list_alerts(s, status="open")


def test_subscriptions_route_alerts_and_digest_collects_the_day(db, settings):
    with db.scope() as s:
        user = make_user(s)
        fire_ch = service.add_channel(s, "webhook", "http://127.0.0.1:9/fire")
        bribery_ch = service.add_channel(s, "webhook", "http://127.0.0.1:9/bribery")
        everything = service.add_channel(s, "webhook", "http://127.0.0.1:9/all")
        digest_ch = service.add_channel(s, "email", "cso@example.com")
        service.subscribe(s, user.id, fire_ch.id, categories=["fire"], regions=["CN"])
        service.subscribe(s, user.id, bribery_ch.id, categories=["bribery"], tiers=["high"])
        service.subscribe(s, user.id, digest_ch.id, daily_digest=True)
        with pytest.raises(ValueError, match="unknown category"):
            service.subscribe(s, user.id, fire_ch.id, categories=["arson"])
        cn = make_supplier(s, country="CN")
        vn = make_supplier(s, country="VN", name_en="Saigon Garments")
        make_article(s, cn)
        make_article(s, vn)
        make_article(s, cn, label="bribery")  # supplier tier is medium: bribery channel wants high only
    with db.scope() as s:
        alerts = service.detect_alerts(s, settings)
        assert len(alerts) == 3
        from riskradar.domain import OutboxMessage

        routed = {}
        for m in s.scalars(select(OutboxMessage)):
            routed.setdefault(m.channel_id, []).append(m.payload["alert"]["supplier"]["country"] + ":" + m.payload["alert"]["category"])
        assert sorted(routed[fire_ch.id]) == ["CN:fire"]
        assert bribery_ch.id not in routed and digest_ch.id not in routed
        assert len(routed[everything.id]) == 3  # no subscription: everything
        day = alerts[0].first_seen_at.date()
        digest = service.build_daily_digest(s, settings, user.id, day)
        assert digest["day"] == day.isoformat() and len(digest["alerts"]) == 3
        assert service.build_daily_digest(s, settings, user.id, date(2001, 1, 1))["alerts"] == []
    assert service.send_daily_digests(db, settings, day=day) == 1
    assert service.send_daily_digests(db, settings, day=day) == 0  # once per subscription and day
