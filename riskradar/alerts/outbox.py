"""The durable outbox: enqueue one message per alert version and channel; deliver due ones.

Delivery guarantees
-------------------
* A message is written in the same transaction as the alert change that caused it, so nothing
  is lost across a crash, and its ``idempotency_key`` is unique, so it is enqueued once.
* :func:`deliver_due` *claims* messages with one conditional ``UPDATE ... WHERE id IN (...) AND
  status IN (pending, sending) AND next_attempt_at <= now ... RETURNING`` that moves them to
  ``sending`` with a lease (``next_attempt_at = now + lease``, ``attempts + 1``). Two workers can
  never both claim one (the second UPDATE no longer matches it); a worker killed mid-send leaves
  it in ``sending`` and it is claimed again once the lease has run out.
* Success marks it ``sent`` (fenced by the attempt number); failure schedules a retry with
  exponential backoff and jitter, and after ``settings.delivery_max_attempts`` marks it ``dead``.
  A message for a disabled channel waits (it is not claimed) until the channel is enabled.
* The one window left is a crash after the receiver accepted but before ``sent`` was stored: the
  message is then sent again with the same idempotency key (header ``X-RiskRadar-Delivery`` /
  ``Idempotency-Key``, JSON field ``idempotency_key``, email ``Message-ID``), so receivers drop
  the repeat. Delivery is at-least-once on the wire and exactly-once per key.
"""

from __future__ import annotations

import logging
import random
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from riskradar.alerts.config import AlertConfig
from riskradar.db import Database
from riskradar.domain import Alert, AlertEvent, Channel, OutboxMessage, Subscription, Supplier, utcnow
from riskradar.settings import Settings

log = logging.getLogger(__name__)


# --- who gets what ------------------------------------------------------------------------


def subscription_matches(sub: Subscription, alert: Alert, supplier: Supplier | None) -> bool:
    """Empty lists mean "all"; regions match the supplier's country code or region."""
    if sub.categories and alert.category not in sub.categories:
        return False
    if sub.regions:
        places = {p.lower() for p in (getattr(supplier, "country", None), getattr(supplier, "region", None)) if p}
        if not places & {str(r).lower() for r in sub.regions}:
            return False
    if sub.tiers and (supplier is None or supplier.risk_tier not in sub.tiers):
        return False
    return True


class Targets:
    """Enabled channels and their subscriptions, loaded once per detection pass.

    A channel without any subscription receives every alert (an operations room's group robot);
    a channel with subscriptions receives an alert when at least one immediate (non-digest)
    subscription matches it. Digest-only subscriptions get the daily digest instead.
    """

    def __init__(self, session: Session) -> None:
        self.channels = list(session.scalars(select(Channel).where(Channel.enabled.is_(True)).order_by(Channel.id)))
        self.subs: dict[int, list[Subscription]] = {}
        for sub in session.scalars(select(Subscription)):
            self.subs.setdefault(sub.channel_id, []).append(sub)

    def for_alert(self, alert: Alert, supplier: Supplier | None) -> list[Channel]:
        out = []
        for channel in self.channels:
            subs = self.subs.get(channel.id)
            if not subs:
                out.append(channel)
            elif any(not s.daily_digest and subscription_matches(s, alert, supplier) for s in subs):
                out.append(channel)
        return out


def alert_key(alert_id: int, seq: int, channel_id: int) -> str:
    """Idempotency key of the ``seq``-th notification of an alert to one channel."""
    return f"rr-alert-{alert_id}-{seq}-ch{channel_id}"


def enqueue(session: Session, *, channel: Channel, key: str, payload: dict[str, Any],
            alert_id: int | None = None, now: datetime | None = None, check: bool = True) -> OutboxMessage | None:
    """Add one message unless ``key`` is already in the outbox (then return None).

    ``check=False`` skips the lookup when the key cannot exist yet (a brand-new alert's first
    notification); the unique constraint on the key still guards it.
    """
    if check:
        with session.no_autoflush:
            if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None:
                return None
    now = now or utcnow()
    msg = OutboxMessage(alert_id=alert_id, channel_id=channel.id, idempotency_key=key, payload=payload,
                        status="pending", attempts=0, next_attempt_at=now, created_at=now)
    session.add(msg)
    return msg


# --- delivery -----------------------------------------------------------------------------


@dataclass
class _Claimed:
    id: int
    attempts: int
    channel_id: int
    alert_id: int | None
    idempotency_key: str
    payload: dict[str, Any]


def backoff_seconds(attempts: int, cfg: AlertConfig, rng: random.Random | None = None) -> float:
    """Delay before the next try after ``attempts`` failed ones: exponential, capped, jittered."""
    base = float(cfg.delivery("backoff_base_seconds", 30))
    cap = float(cfg.delivery("backoff_max_seconds", 3600))
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay * (0.5 + (rng or random).random() / 2)


def _claim(db: Database, now: datetime, lease: float, limit: int, exclude: set[int]) -> list[_Claimed]:
    """Claim up to ``limit`` due messages of enabled channels not in ``exclude``; commit the claims.

    One conditional ``UPDATE ... RETURNING``: a row another worker claimed in the meantime no
    longer matches (its ``next_attempt_at`` moved to the end of that worker's lease), so it is
    not returned here.
    """
    with db.scope() as session:
        query = (
            select(OutboxMessage.id)
            .join(Channel, Channel.id == OutboxMessage.channel_id)
            .where(Channel.enabled.is_(True),
                   OutboxMessage.status.in_(("pending", "sending")),
                   OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if exclude:
            query = query.where(OutboxMessage.channel_id.not_in(exclude))
        ids = list(session.scalars(query))
        if not ids:
            return []
        rows = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_(("pending", "sending")),
                   OutboxMessage.next_attempt_at <= now)
            .values(status="sending", attempts=OutboxMessage.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=lease))
            .returning(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.channel_id, OutboxMessage.alert_id,
                       OutboxMessage.idempotency_key, OutboxMessage.payload)
            .execution_options(synchronize_session=False)
        ).all()
        return sorted((_Claimed(r[0], r[1], r[2], r[3], r[4], dict(r[5] or {})) for r in rows), key=lambda c: c.id)


def _send_one(item: _Claimed, channel: Channel, settings: Settings) -> tuple[_Claimed, dict[str, Any] | None, Exception | None]:
    from riskradar.alerts.channels import DeliveryError, get_channel

    message = OutboxMessage(id=item.id, alert_id=item.alert_id, channel_id=item.channel_id,
                            idempotency_key=item.idempotency_key, payload=item.payload, attempts=item.attempts)
    try:
        plugin = get_channel(channel.kind)
        return item, plugin.send(message, channel, settings), None
    except DeliveryError as exc:
        return item, None, exc
    except ValueError as exc:  # unknown kind or unusable target: retrying will not help
        return item, None, DeliveryError(str(exc), retryable=False)
    except Exception as exc:  # noqa: BLE001 - a plug-in bug must not stop the other deliveries
        log.exception("channel %s crashed sending %s", channel.kind, item.idempotency_key)
        return item, None, DeliveryError(f"{type(exc).__name__}: {exc}")


def deliver_due(db: Database, settings: Settings, *, now: datetime | None = None, limit: int | None = None,
                config: AlertConfig | None = None) -> dict[str, int]:
    """Send every due outbox message; returns counts ``claimed/sent/retry/dead/skipped``.

    Claims small batches (``workers`` × 2) while fewer than two rounds are in flight, sends them in
    parallel (``workers`` threads) and stores each outcome as soon as it is known, so a crash
    loses at most the sends in flight. Stops when nothing is due or after ``limit`` (default
    ``[delivery] batch_size``) messages, so a call always ends. Within one call, once a channel fails, its other messages are left for a later call
    (no hammering a channel that is down; their attempts are not used up).

    ``[delivery] lease_seconds`` must exceed the time a claimed message can wait plus its send
    (about 4 × ``fetch_timeout_seconds``), otherwise a slow one could be claimed twice.
    """
    cfg = config or AlertConfig.load(settings)
    workers = max(1, int(cfg.delivery("workers", 8)))
    budget = max(1, int(limit or cfg.delivery("batch_size", 1000)))
    batch = workers * 2
    lease = float(cfg.delivery("lease_seconds", 120))
    counts = {"claimed": 0, "sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    down: set[int] = set()
    channels: dict[int, Channel] = {}
    pending: set[Future] = set()
    exhausted = False
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rr-deliver") as pool:
        while True:
            # Keep the senders busy: claim more while fewer than two rounds are in flight.
            if not exhausted and len(pending) < workers * 2:
                size = min(batch, budget - counts["claimed"])
                claimed = _claim(db, now or utcnow(), lease, size, down) if size > 0 else []
                exhausted = len(claimed) < size or size <= 0
                counts["claimed"] += len(claimed)
                missing = {c.channel_id for c in claimed} - set(channels)
                if missing:
                    with db.scope() as session:
                        for channel in session.scalars(select(Channel).where(Channel.id.in_(missing))):
                            session.expunge(channel)
                            channels[channel.id] = channel
                skipped = [c for c in claimed if c.channel_id not in channels]
                if skipped:
                    _record(db, settings, cfg, [], skipped, now or utcnow(), counts, down, channels)
                pending |= {pool.submit(_send_one, c, channels[c.channel_id], settings)
                            for c in claimed if c.channel_id in channels}
                if not exhausted and len(pending) < workers * 2:
                    continue
            if not pending:
                if exhausted:
                    break
                continue
            # Store outcomes as they arrive (with any finishing within a few ms, in one commit).
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            more, pending = wait(pending, timeout=0.005, return_when=ALL_COMPLETED)
            _record(db, settings, cfg, [f.result() for f in done | more], [], now or utcnow(), counts, down, channels)
    return counts


def _record(db: Database, settings: Settings, cfg: AlertConfig, results: Iterable[tuple[_Claimed, Any, Exception | None]],
            skipped: list[_Claimed], now: datetime, counts: dict[str, int], down: set[int],
            channels: dict[int, Channel]) -> None:
    """Store outcomes: sent, retry later (backoff) or dead; history events; channel health."""
    done = utcnow()
    events: list[dict[str, Any]] = []
    with db.scope() as session:
        for item in skipped:
            # Give back the claim without using up an attempt.
            session.execute(update(OutboxMessage)
                            .where(OutboxMessage.id == item.id, OutboxMessage.attempts == item.attempts,
                                   OutboxMessage.status == "sending")
                            .values(status="pending", attempts=item.attempts - 1, next_attempt_at=now)
                            .execution_options(synchronize_session=False))
            counts["skipped"] += 1
        failures: dict[int, int] = {}
        successes: set[int] = set()
        sent: list[dict[str, Any]] = []
        for item, _info, error in results:
            fence = (OutboxMessage.id == item.id, OutboxMessage.attempts == item.attempts,
                     OutboxMessage.status == "sending")
            if error is None:
                sent.append({"m_id": item.id, "m_attempts": item.attempts})
                counts["sent"] += 1
                successes.add(item.channel_id)
                if item.alert_id is not None:
                    events.append({"alert_id": item.alert_id, "at": done, "action": "delivered", "note": None,
                                   "data": {"channel_id": item.channel_id, "key": item.idempotency_key,
                                            "attempts": item.attempts}})
                continue
            retryable = getattr(error, "retryable", True)
            dead = (not retryable) or item.attempts >= settings.delivery_max_attempts
            values: dict[str, Any] = {"last_error": str(error)[:2000]}
            if dead:
                values["status"] = "dead"
                counts["dead"] += 1
            else:
                values["status"] = "pending"
                values["next_attempt_at"] = now + timedelta(seconds=backoff_seconds(item.attempts, cfg))
                counts["retry"] += 1
            session.execute(update(OutboxMessage).where(*fence).values(**values)
                            .execution_options(synchronize_session=False))
            failures[item.channel_id] = failures.get(item.channel_id, 0) + 1
            down.add(item.channel_id)
            if dead and item.alert_id is not None:
                events.append({"alert_id": item.alert_id, "at": done, "action": "delivery_failed",
                               "note": str(error)[:500],
                               "data": {"channel_id": item.channel_id, "key": item.idempotency_key,
                                        "attempts": item.attempts}})
        if sent:
            # Fenced by the attempt number: a claim that lost its lease cannot overwrite a newer one.
            table = OutboxMessage.__table__
            session.execute(
                table.update()
                .where(table.c.id == bindparam("m_id"), table.c.attempts == bindparam("m_attempts"),
                       table.c.status == "sending")
                .values(status="sent", sent_at=done, last_error=None),
                sent,
            )
        if events:
            session.execute(insert(AlertEvent), events)
        for channel_id in successes - set(failures):
            channel = channels.get(channel_id)
            if channel is None or channel.consecutive_failures:
                session.execute(update(Channel).where(Channel.id == channel_id).values(consecutive_failures=0)
                                .execution_options(synchronize_session=False))
                if channel is not None:
                    channel.consecutive_failures = 0
        for channel_id, n in failures.items():
            session.execute(update(Channel).where(Channel.id == channel_id)
                            .values(consecutive_failures=Channel.consecutive_failures + n)
                            .execution_options(synchronize_session=False))
            if channel_id in channels:
                channels[channel_id].consecutive_failures = (channels[channel_id].consecutive_failures or 0) + n


def outbox_counts(session: Session) -> dict[str, int]:
    """Messages per status (for the CLI and the admin page)."""
    from sqlalchemy import func

    return {status: n for status, n in session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))}


def requeue_dead(session: Session, *, channel_id: int | None = None) -> int:
    """Put ``dead`` messages back to ``pending`` (after fixing a channel); returns how many."""
    stmt = update(OutboxMessage).where(OutboxMessage.status == "dead")
    if channel_id is not None:
        stmt = stmt.where(OutboxMessage.channel_id == channel_id)
    result = session.execute(stmt.values(status="pending", attempts=0, next_attempt_at=utcnow())
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


__all__ = ["Targets", "alert_key", "backoff_seconds", "deliver_due", "enqueue", "outbox_counts",
           "requeue_dead", "subscription_matches"]
