"""Alert services: detection cycle, delivery, triage, channels, subscriptions and digests.

These are the functions the scheduler, the CLI and the web layer call. Functions taking a
``Session`` flush but do not commit (the caller's ``Database.scope()`` does); functions taking a
``Database`` manage their own transactions.

Errors: an unknown alert/channel/user raises :class:`NotFound` (a ``LookupError``); a request
that is not valid (bad kind, empty note, confirming a dismissed alert...) raises ``ValueError``
with a message that says why.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.lifecycle import record_feedback
from riskradar.alerts.config import AlertConfig
from riskradar.alerts.incidents import IncidentTracker, flush_throttled
from riskradar.alerts.labels import ALERT_CATEGORIES, category_name, rule_name, status_name
from riskradar.alerts.outbox import Targets, deliver_due as _deliver_due, enqueue, subscription_matches
from riskradar.alerts.payloads import alert_snapshot, alert_url
from riskradar.alerts.rules import RULES
from riskradar.db import Database
from riskradar.domain import (
    Alert,
    AlertEvent,
    ArticleTag,
    Channel,
    OutboxMessage,
    Subscription,
    Supplier,
    User,
    utcnow,
)
from riskradar.domain.base import ALERT_STATUSES, RISK_TIERS
from riskradar.settings import Settings

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")


class NotFound(LookupError):
    """The alert, channel, subscription or user does not exist."""


# --- detection and delivery ---------------------------------------------------------------


def detect_alerts(session: Session, settings: Settings, *, now: datetime | None = None,
                  config: AlertConfig | None = None) -> list[Alert]:
    """Run every enabled rule over new evidence; group into incidents; enqueue notifications.

    Returns the alerts created in this pass (updated ones are counted in their history). Reads
    at most ``[rules] batch_size`` new rows per rule; call again while it returns alerts (or use
    :func:`run_alert_cycle`). The caller commits: watermarks, alerts and outbox messages are one
    transaction.
    """
    cfg = config or AlertConfig.load(settings)
    now = now or utcnow()
    session.info.pop("alerts_more", None)
    evidence = []
    for name, rule in RULES.items():
        found = rule(session, cfg)
        if found:
            log.debug("rule %s found %d pieces of evidence", name, len(found))
        evidence.extend(found)
    targets = Targets(session)
    tracker = IncidentTracker(session, cfg, now)
    if evidence:
        tracker.preload(evidence)
        for ev in evidence:
            tracker.add(ev)
    result = tracker.finish(targets)
    flush_throttled(session, cfg, now, targets)
    session.info["alerts_last_cycle"] = {
        "evidence": len(evidence), "created": len(result.created), "updated": len(result.updated),
        "duplicates": result.duplicates, "notifications": result.notifications,
        "more": bool(session.info.pop("alerts_more", False)),
    }
    return result.created


def deliver_due(db: Database, settings: Settings, *, now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Send due outbox messages (see :mod:`riskradar.alerts.outbox`); returns counts."""
    return _deliver_due(db, settings, now=now, limit=limit)


def run_alert_cycle(db: Database, settings: Settings, *, now: datetime | None = None,
                    max_detect_passes: int = 20) -> dict[str, Any]:
    """Detect (until no new evidence is left, bounded), send daily digests when due, deliver.

    The scheduler's "dispatch alerts" job. Each detection pass commits on its own, so
    messages of the first pass are durable before the next pass runs.
    """
    cfg = AlertConfig.load(settings)
    totals: dict[str, Any] = {"evidence": 0, "created": 0, "updated": 0, "duplicates": 0, "notifications": 0}
    for _ in range(max_detect_passes):
        with db.scope() as session:
            detect_alerts(session, settings, now=now, config=cfg)
            stats = session.info.pop("alerts_last_cycle", {})
        for key in totals:
            totals[key] += stats.get(key, 0)
        if not stats.get("more"):
            break
    current = now or utcnow()
    if current.hour >= cfg.digest_hour:
        totals["digests"] = send_daily_digests(db, settings, day=(current - timedelta(days=1)).date())
    totals["delivery"] = _deliver_due(db, settings, now=now, config=cfg)
    return totals


# --- reading --------------------------------------------------------------------------------


def get_alert(session: Session, alert_id: int) -> Alert:
    """The alert with ``alert_id`` or :class:`NotFound`."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert


def list_alerts(session: Session, *, status: str | Iterable[str] | None = None, category: str | None = None,
                supplier_id: int | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Alert], int]:
    """Alerts, most recent evidence first, with the total matching count (for paging)."""
    query = select(Alert)
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        bad = [s for s in statuses if s not in ALERT_STATUSES]
        if bad:
            raise ValueError(f"unknown status {bad[0]!r}; known: {', '.join(ALERT_STATUSES)}")
        query = query.where(Alert.status.in_(statuses))
    if category:
        query = query.where(Alert.category == category)
    if supplier_id is not None:
        query = query.where(Alert.supplier_id == supplier_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Alert.last_seen_at.desc(), Alert.id.desc())
                           .limit(max(1, min(limit, 1000))).offset(max(0, offset))).all()
    return list(rows), int(total)


def alert_to_dict(session: Session, alert: Alert, settings: Settings | None = None, *, lang: str = "en",
                  with_sources: bool = True) -> dict[str, Any]:
    """Plain data for the API, the CLI and templates (names in ``lang``)."""
    supplier = session.get(Supplier, alert.supplier_id) if alert.supplier_id else None
    data = alert_snapshot(alert, supplier) if with_sources else {
        "id": alert.id, "category": alert.category, "rule": alert.rule, "severity": alert.severity,
        "status": alert.status, "title": alert.title, "title_zh": alert.title_zh,
        "source_count": alert.source_count, "first_seen_at": alert.first_seen_at, "last_seen_at": alert.last_seen_at,
    }
    if with_sources:
        data["sources"] = [
            {"kind": s.kind, "ref_id": s.ref_id, "url": s.url, "title": s.title, "evidence": s.evidence,
             "added_at": s.added_at.isoformat() if s.added_at else None}
            for s in sorted(alert.sources, key=lambda s: s.id or 0)
        ]
    data.update({
        "dedupe_key": alert.dedupe_key,
        "category_name": category_name(alert.category, lang),
        "rule_name": rule_name(alert.rule, lang),
        "status_name": status_name(alert.status, lang),
        "supplier_id": alert.supplier_id,
        "supplier_name": (supplier.name_zh or supplier.name_en if lang == "zh" else supplier.name_en or supplier.name_zh)
        if supplier else None,
        "assignee_id": alert.assignee_id,
        "resolution_note": alert.resolution_note,
    })
    if settings is not None:
        data["url"] = alert_url(settings, alert.id)
    return data


def alert_history(session: Session, alert_id: int) -> list[dict[str, Any]]:
    """Every recorded step of an alert, oldest first: when, who, what, note, details."""
    get_alert(session, alert_id)
    rows = session.execute(
        select(AlertEvent, User.username).outerjoin(User, User.id == AlertEvent.actor_id)
        .where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.at, AlertEvent.id)
    ).all()
    return [{"id": ev.id, "at": ev.at, "actor_id": ev.actor_id, "actor": username, "action": ev.action,
             "note": ev.note, "data": ev.data or {}} for ev, username in rows]


def alert_deliveries(session: Session, alert_id: int) -> list[dict[str, Any]]:
    """Outbox messages of an alert (status per channel) for the alert page."""
    rows = session.execute(
        select(OutboxMessage, Channel.kind, Channel.name).join(Channel, Channel.id == OutboxMessage.channel_id)
        .where(OutboxMessage.alert_id == alert_id).order_by(OutboxMessage.id)
    ).all()
    return [{"id": m.id, "channel_id": m.channel_id, "channel_kind": kind, "channel_name": name,
             "key": m.idempotency_key, "status": m.status, "attempts": m.attempts, "last_error": m.last_error,
             "sent_at": m.sent_at, "next_attempt_at": m.next_attempt_at} for m, kind, name in rows]


# --- triage -------------------------------------------------------------------------------


def _user(session: Session, user_id: int | None, what: str = "user") -> User | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"{what} {user_id} not found")
    return user


def _record(session: Session, alert: Alert, user_id: int | None, action: str, note: str | None = None,
            **data: Any) -> AlertEvent:
    event = AlertEvent(alert_id=alert.id, at=utcnow(), actor_id=user_id, action=action, note=note, data=data)
    session.add(event)
    session.flush()
    return event


def _transition(session: Session, alert_id: int, user_id: int | None, to: str, allowed_from: tuple[str, ...],
                note: str | None = None) -> Alert:
    alert = get_alert(session, alert_id)
    _user(session, user_id)
    if alert.status not in allowed_from:
        raise ValueError(f"alert {alert_id} is {alert.status}; it cannot become {to} "
                         f"(only from {', '.join(allowed_from)})")
    previous = alert.status
    alert.status = to
    _record(session, alert, user_id, to, note, previous=previous)
    return alert


def acknowledge(session: Session, alert_id: int, user_id: int | None) -> Alert:
    """A person has seen the alert and is on it (new → acknowledged)."""
    return _transition(session, alert_id, user_id, "acknowledged", ("new",))


def assign(session: Session, alert_id: int, user_id: int | None, assignee_id: int | None) -> Alert:
    """Give the alert to ``assignee_id`` (None unassigns)."""
    alert = get_alert(session, alert_id)
    _user(session, user_id)
    assignee = _user(session, assignee_id, "assignee")
    previous = alert.assignee_id
    alert.assignee_id = assignee_id
    _record(session, alert, user_id, "assigned", None, assignee_id=assignee_id,
            assignee=assignee.username if assignee else None, previous_assignee_id=previous)
    return alert


def comment(session: Session, alert_id: int, user_id: int | None, note: str) -> AlertEvent:
    """Add a comment to the alert's history."""
    note = (note or "").strip()
    if not note:
        raise ValueError("a comment needs text")
    alert = get_alert(session, alert_id)
    _user(session, user_id)
    return _record(session, alert, user_id, "commented", note[:10000])


def _article_ids(alert: Alert) -> list[int]:
    return [s.ref_id for s in alert.sources if s.kind == "article"]


def confirm(session: Session, alert_id: int, user_id: int | None, note: str | None = None) -> Alert:
    """The red-line event is real: tags become ``confirmed`` and the supplier is rescored.

    Article evidence: ``ArticleTag(article, category).review_status = "confirmed"`` (the scoring
    gives confirmed events full weight) and a positive training example per article; the
    supplier gets ``needs_rescore``.
    """
    alert = _transition(session, alert_id, user_id, "confirmed", ("new", "acknowledged"), note)
    _review_evidence(session, alert, user_id, confirmed=True)
    _mark_for_rescore(session, alert)
    session.flush()
    return alert


def _mark_for_rescore(session: Session, alert: Alert) -> None:
    """The verdict changes what scoring counts for the alert's supplier: score it again."""
    supplier = session.get(Supplier, alert.supplier_id) if alert.supplier_id else None
    if supplier is not None:
        supplier.needs_rescore = True


def _review_evidence(session: Session, alert: Alert, user_id: int | None, *, confirmed: bool) -> bool:
    """Record the analyst's verdict on the alert's article evidence.

    Tags of the alert's category become ``confirmed``/``dismissed`` and each article becomes a
    positive/negative training example. Returns whether the alert had article evidence.
    """
    ids = _article_ids(alert)
    if not ids:
        return False
    status, now = ("confirmed" if confirmed else "dismissed"), utcnow()
    for tag in session.scalars(select(ArticleTag).where(ArticleTag.article_id.in_(ids),
                                                        ArticleTag.label == alert.category)):
        tag.review_status, tag.reviewed_by, tag.reviewed_at = status, user_id, now
    for article_id in ids:
        record_feedback(session, article_id, alert.category, confirmed, user_id)
    return True


def dismiss(session: Session, alert_id: int, user_id: int | None, note: str | None = None) -> Alert:
    """False positive: tags become ``dismissed`` and each article becomes a negative training example."""
    alert = _transition(session, alert_id, user_id, "dismissed", ("new", "acknowledged"), note)
    if _review_evidence(session, alert, user_id, confirmed=False):
        _mark_for_rescore(session, alert)
    session.flush()
    return alert


def resolve(session: Session, alert_id: int, user_id: int | None, note: str) -> Alert:
    """Close the alert with a note saying what was done (any open status → resolved)."""
    note = (note or "").strip()
    if not note:
        raise ValueError("resolving an alert needs a note saying what was done")
    alert = _transition(session, alert_id, user_id, "resolved", ("new", "acknowledged", "confirmed", "dismissed"), note)
    alert.resolution_note = note[:10000]
    session.flush()
    return alert


# --- channels -------------------------------------------------------------------------------


def add_channel(session: Session, kind: str, target: str, *, name: str | None = None, secret: str | None = None,
                language: str = "zh", enabled: bool = True) -> Channel:
    """Register a destination; ``ValueError`` for an unknown kind, a bad target or language."""
    from riskradar.alerts.channels import get_channel

    plugin = get_channel(kind)
    target = plugin.validate_target(target)
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    channel = Channel(kind=kind, target=target, name=(name or f"{kind} {len(list_channels(session)) + 1}")[:255],
                      secret=secret or None, language=language, enabled=enabled, consecutive_failures=0)
    session.add(channel)
    session.flush()
    return channel


def list_channels(session: Session) -> list[Channel]:
    """All channels, oldest first."""
    return list(session.scalars(select(Channel).order_by(Channel.id)))


def get_channel_row(session: Session, channel_id: int) -> Channel:
    """The channel or :class:`NotFound`."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    return channel


def set_channel_enabled(session: Session, channel_id: int, enabled: bool) -> Channel:
    """Pause or resume a channel.

    Messages already queued for a paused channel wait in the outbox and go out when it is
    resumed; alerts raised while it is paused are not queued for it.
    """
    channel = get_channel_row(session, channel_id)
    channel.enabled = enabled
    session.flush()
    return channel


def remove_channel(session: Session, channel_id: int) -> bool:
    """Delete a channel with its subscriptions and outbox messages; False when it did not exist."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        return False
    for model in (Subscription, OutboxMessage):
        for row in session.scalars(select(model).where(model.channel_id == channel_id)):
            session.delete(row)
    session.delete(channel)
    session.flush()
    return True


def channel_to_dict(channel: Channel, *, reveal_target: bool = False) -> dict[str, Any]:
    """Plain data; robot URLs carry their token in the query, so it is hidden unless asked."""
    target = channel.target
    if not reveal_target and channel.kind != "email" and "?" in target:
        target = target.split("?", 1)[0] + "?…"
    return {"id": channel.id, "kind": channel.kind, "name": channel.name, "target": target,
            "language": channel.language, "enabled": channel.enabled, "has_secret": bool(channel.secret),
            "consecutive_failures": channel.consecutive_failures}


# --- subscriptions ----------------------------------------------------------------------------


def subscribe(session: Session, user_id: int, channel_id: int, *, categories: Iterable[str] = (),
              regions: Iterable[str] = (), tiers: Iterable[str] = (), daily_digest: bool = False) -> Subscription:
    """A user's choice of what reaches a channel. Empty lists mean all.

    Note: a channel with no subscription at all receives every alert; once it has one, only
    alerts matching one of its immediate subscriptions reach it (digest subscriptions get the
    daily digest instead).
    """
    _user(session, user_id)
    get_channel_row(session, channel_id)
    categories, regions, tiers = list(categories), [r.strip() for r in regions if r.strip()], list(tiers)
    bad = [c for c in categories if c not in ALERT_CATEGORIES]
    if bad:
        raise ValueError(f"unknown category {bad[0]!r}; known: {', '.join(ALERT_CATEGORIES)}")
    bad = [t for t in tiers if t not in RISK_TIERS]
    if bad:
        raise ValueError(f"unknown tier {bad[0]!r}; known: {', '.join(RISK_TIERS)}")
    sub = Subscription(user_id=user_id, channel_id=channel_id, categories=categories, regions=regions,
                       tiers=tiers, daily_digest=daily_digest)
    session.add(sub)
    session.flush()
    return sub


def list_subscriptions(session: Session, *, user_id: int | None = None) -> list[Subscription]:
    """Subscriptions, optionally of one user."""
    query = select(Subscription).order_by(Subscription.id)
    if user_id is not None:
        query = query.where(Subscription.user_id == user_id)
    return list(session.scalars(query))


def unsubscribe(session: Session, subscription_id: int, *, user_id: int | None = None) -> bool:
    """Delete a subscription (only the user's own when ``user_id`` is given)."""
    sub = session.get(Subscription, subscription_id)
    if sub is None or (user_id is not None and sub.user_id != user_id):
        return False
    session.delete(sub)
    session.flush()
    return True


# --- daily digest -------------------------------------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def build_daily_digest(session: Session, settings: Settings, user_id: int, day: date,
                       *, subscription: Subscription | None = None) -> dict[str, Any]:
    """Alerts first seen on ``day`` (UTC) matching the user's digest subscriptions."""
    user = _user(session, user_id)
    subs = [subscription] if subscription else [s for s in list_subscriptions(session, user_id=user_id) if s.daily_digest]
    start, end = _day_bounds(day)
    alerts = session.scalars(select(Alert).options(selectinload(Alert.sources))
                             .where(Alert.first_seen_at >= start, Alert.first_seen_at < end)
                             .order_by(Alert.first_seen_at, Alert.id)).all()
    items = []
    for alert in alerts:
        supplier = session.get(Supplier, alert.supplier_id) if alert.supplier_id else None
        if not subs or any(subscription_matches(s, alert, supplier) for s in subs):
            snap = alert_snapshot(alert, supplier)
            snap.pop("sources", None)
            items.append(snap)
    return {"event": "digest", "day": day.isoformat(), "user": user.username if user else None,
            "user_id": user_id, "alerts": items}


def send_daily_digests(db: Database, settings: Settings, *, day: date | None = None) -> int:
    """Enqueue one digest per digest subscription for ``day`` (default yesterday, UTC); idempotent.

    Job hook for the scheduler; :func:`run_alert_cycle` calls it too. Returns messages enqueued.
    """
    day = day or (utcnow() - timedelta(days=1)).date()
    n = 0
    with db.scope() as session:
        subs = session.scalars(select(Subscription).where(Subscription.daily_digest.is_(True))).all()
        for sub in subs:
            key = f"rr-digest-{sub.id}-{day.isoformat()}"
            channel = session.get(Channel, sub.channel_id)
            if channel is None or not channel.enabled:
                continue
            if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None:
                continue
            payload = build_daily_digest(session, settings, sub.user_id, day, subscription=sub)
            if enqueue(session, channel=channel, key=key, payload=payload) is not None:
                n += 1
    return n


__all__ = [
    "NotFound", "acknowledge", "add_channel", "alert_deliveries", "alert_history", "alert_to_dict", "assign",
    "build_daily_digest", "channel_to_dict", "comment", "confirm", "deliver_due", "detect_alerts", "dismiss",
    "get_alert", "get_channel_row", "list_alerts", "list_channels", "list_subscriptions", "remove_channel",
    "resolve", "run_alert_cycle", "send_daily_digests", "set_channel_enabled", "subscribe", "unsubscribe",
]
