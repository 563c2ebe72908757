"""Incident grouping: one incident is one alert, however many reports of it arrive.

Evidence for supplier S in category C joins the most recent alert of (S, C) whose
``last_seen_at`` is within the incident window (``[incidents] window_days``); otherwise it opens
a new alert whose ``dedupe_key`` is ``"<supplier>:<category>:<first seen, UTC>"``. Twenty outlets
reporting the same fire therefore give one alert with twenty sources (an article syndicated by
several outlets counts with its ``Article.source_count``). Evidence already attached (same kind
and id) is ignored, so re-reading evidence is harmless.

Notifications: a new alert always notifies at once; an alert that gained sources notifies an
update at most once per throttle period (``[throttle]``, per category, i.e. per supplier +
category + incident); updates held back by the throttle are sent when the period is over, with
everything that arrived meanwhile. Alerts already dismissed or resolved absorb evidence silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session, selectinload

from riskradar.alerts.config import AlertConfig
from riskradar.alerts.labels import category_name
from riskradar.alerts.outbox import Targets, alert_key
from riskradar.alerts.payloads import alert_snapshot
from riskradar.domain import Alert, AlertEvent, AlertSource, Article, OutboxMessage, Supplier

MAX_ALERT_EVIDENCE = 20
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
CLOSED = ("dismissed", "resolved")


@dataclass
class Evidence:
    """One piece of evidence a rule found: which supplier, category, and what it is."""

    supplier_id: int
    category: str
    rule: str
    kind: str  # article | finding | agreement | snapshot
    ref_id: int
    title: str
    url: str | None = None
    snippets: list[Any] = field(default_factory=list)
    weight: int = 1  # how many sources it stands for (Article.source_count)
    severity: str = "high"
    title_zh: str | None = None  # the title in Chinese when the rule wrote it (None: same as title)


@dataclass
class CycleResult:
    created: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    duplicates: int = 0
    notifications: int = 0


def _supplier_label(supplier: Supplier | None, lang: str) -> str:
    if supplier is None:
        return "?"
    if lang == "zh":
        return supplier.name_zh or supplier.name_en or supplier.external_ref
    return supplier.name_en or supplier.name_zh or supplier.external_ref


class IncidentTracker:
    """Groups a pass's evidence into alerts; call :meth:`add` per item, then :meth:`finish`."""

    def __init__(self, session: Session, cfg: AlertConfig, now: datetime) -> None:
        self.session = session
        self.cfg = cfg
        self.now = now
        self.window = timedelta(days=cfg.window_days)
        self._open: dict[tuple[int, str], Alert | None] = {}
        self._sources: dict[int, set[tuple[str, int]]] = {}
        self._suppliers: dict[int, Supplier] = {}
        self._created: dict[int, Alert] = {}  # id(alert) -> alert
        self._touched: dict[int, tuple[Alert, list[dict[str, Any]]]] = {}
        self.duplicates = 0

    # -- loading -----------------------------------------------------------------------------
    def preload(self, items: list[Evidence]) -> None:
        """Fetch the current alerts, their source keys and the suppliers for ``items`` at once."""
        keys = {(e.supplier_id, e.category) for e in items} - set(self._open)
        supplier_ids = {e.supplier_id for e in items} - set(self._suppliers)
        if supplier_ids:
            for sup in self.session.scalars(select(Supplier).where(Supplier.id.in_(supplier_ids))):
                self._suppliers[sup.id] = sup
        if not keys:
            return
        for key in keys:
            self._open[key] = None
        cutoff = self.now - self.window
        sids = {k[0] for k in keys}
        alerts = self.session.scalars(
            select(Alert).where(Alert.supplier_id.in_(sids), Alert.last_seen_at >= cutoff)
            .order_by(Alert.last_seen_at, Alert.id)
        ).all()
        for alert in alerts:  # later ones win: the most recent incident of (supplier, category)
            key = (alert.supplier_id, alert.category)
            if key in keys:
                self._open[key] = alert
        fresh = {a.id: a for a in self._open.values()
                 if a is not None and a.id is not None and id(a) not in self._sources}
        for alert in fresh.values():
            self._sources[id(alert)] = set()
        if fresh:
            for alert_id, kind, ref_id in self.session.execute(
                select(AlertSource.alert_id, AlertSource.kind, AlertSource.ref_id)
                .where(AlertSource.alert_id.in_(list(fresh)))
            ):
                self._sources[id(fresh[alert_id])].add((kind, ref_id))

    def supplier(self, supplier_id: int) -> Supplier | None:
        if supplier_id not in self._suppliers:
            sup = self.session.get(Supplier, supplier_id)
            if sup is not None:
                self._suppliers[supplier_id] = sup
        return self._suppliers.get(supplier_id)

    # -- grouping ----------------------------------------------------------------------------
    def add(self, ev: Evidence) -> Alert | None:
        """Attach ``ev`` to its incident's alert (creating it); None when it was already there."""
        key = (ev.supplier_id, ev.category)
        if key not in self._open:
            self.preload([ev])
        alert = self._open.get(key)
        snippets = list(ev.snippets)[:5]
        if ev.title_zh and snippets and isinstance(snippets[0], dict):
            # AlertSource has one title column: the Chinese title rides along with the evidence.
            snippets[0] = {**snippets[0], "title_zh": ev.title_zh}
        source = AlertSource(kind=ev.kind, ref_id=ev.ref_id, url=ev.url, title=ev.title,
                             evidence=snippets, added_at=self.now)
        if alert is None:
            alert = self._new_alert(ev)
            alert.sources.append(source)
            self.session.add(alert)
            self._open[key] = alert
            self._created[id(alert)] = alert
            self._sources[id(alert)] = {(ev.kind, ev.ref_id)}
            return alert
        seen = self._sources.setdefault(id(alert), set())  # keyed by object: ids appear only at flush
        if (ev.kind, ev.ref_id) in seen:
            self.duplicates += 1
            return None
        seen.add((ev.kind, ev.ref_id))
        alert.sources.append(source)
        alert.last_seen_at = self.now
        alert.source_count = (alert.source_count or 0) + ev.weight
        if SEVERITY_RANK.get(ev.severity, 2) > SEVERITY_RANK.get(alert.severity, 2):
            alert.severity = ev.severity
        alert.evidence = (list(alert.evidence or []) + self._snippets(ev))[:MAX_ALERT_EVIDENCE]
        if id(alert) not in self._created:
            entry = self._touched.setdefault(id(alert), (alert, []))
            entry[1].append({"kind": ev.kind, "ref_id": ev.ref_id})
        return alert

    def _snippets(self, ev: Evidence) -> list[Any]:
        if ev.snippets:
            return [{"text": s.get("text") if isinstance(s, dict) else str(s), "kind": ev.kind, "ref_id": ev.ref_id,
                     **({"zh": s["zh"]} if isinstance(s, dict) and s.get("zh") else {})}
                    for s in ev.snippets[:3]]
        return [{"text": ev.title, "kind": ev.kind, "ref_id": ev.ref_id}]

    def _new_alert(self, ev: Evidence) -> Alert:
        supplier = self.supplier(ev.supplier_id)
        return Alert(
            supplier_id=ev.supplier_id,
            category=ev.category,
            rule=ev.rule,
            dedupe_key=f"{ev.supplier_id}:{ev.category}:{self.now:%Y%m%dT%H%M%S}",
            status="new",
            severity=ev.severity,
            title=f"{category_name(ev.category, 'en')}: {_supplier_label(supplier, 'en')} — {ev.title}"[:1000],
            title_zh=f"{category_name(ev.category, 'zh')}：{_supplier_label(supplier, 'zh')} — {ev.title_zh or ev.title}"[:1000],
            evidence=self._snippets(ev),
            source_count=ev.weight,
            first_seen_at=self.now,
            last_seen_at=self.now,
            notify_seq=0,
            notified_source_count=0,
        )

    # -- finishing ---------------------------------------------------------------------------
    def finish(self, targets: Targets | None = None) -> CycleResult:
        """Flush, recount sources, write history events and enqueue notifications (bulk inserts)."""
        session = self.session
        session.flush()
        created = list(self._created.values())
        updated = [alert for alert, _ in self._touched.values()]
        _recount_sources(session, [a.id for a in updated])
        events = [{"alert_id": a.id, "at": self.now, "action": "created", "actor_id": None, "note": None,
                   "data": {"rule": a.rule, "sources": a.source_count}} for a in created]
        events += [{"alert_id": a.id, "at": self.now, "action": "evidence_added", "actor_id": None, "note": None,
                    "data": {"added": added[:50], "count": len(added), "sources": a.source_count}}
                   for a, added in self._touched.values()]
        if events:
            session.execute(insert(AlertEvent), events)
        result = CycleResult(created=created, updated=updated, duplicates=self.duplicates)
        targets = targets or Targets(session)
        due = [(a, "alert.created") for a in created]
        due += [(a, "alert.updated") for a in updated if a.status not in CLOSED and throttle_passed(a, self.cfg, self.now)]
        result.notifications = notify_many(session, due, self.supplier, targets, now=self.now)
        return result


def _recount_sources(session: Session, alert_ids: list[int]) -> None:
    """source_count = Σ Article.source_count over article sources + 1 per other source."""
    if not alert_ids:
        return
    weight = case((AlertSource.kind == "article", func.coalesce(Article.source_count, 1)), else_=1)
    rows = session.execute(
        select(AlertSource.alert_id, func.sum(weight))
        .outerjoin(Article, (AlertSource.kind == "article") & (Article.id == AlertSource.ref_id))
        .where(AlertSource.alert_id.in_(alert_ids)).group_by(AlertSource.alert_id)
    ).all()
    for alert_id, total in rows:
        alert = session.get(Alert, alert_id)
        if alert is not None and total is not None:
            alert.source_count = int(total)


def throttle_passed(alert: Alert, cfg: AlertConfig, now: datetime) -> bool:
    """True when an update notification for ``alert`` may go out now."""
    if alert.notified_at is None:
        return True
    return now - alert.notified_at >= timedelta(minutes=cfg.throttle_minutes(alert.category))


def notify_many(session: Session, due: list[tuple[Alert, str]], supplier_of, targets: Targets, *,  # type: ignore[no-untyped-def]
                now: datetime) -> int:
    """Enqueue the next notification of each alert to every matching channel; returns how many.

    ``due`` holds (alert, event) pairs; ``supplier_of(supplier_id)`` returns the supplier. Keys
    that already exist (a notification re-enqueued after a crash) are skipped.
    """
    rows: list[dict[str, Any]] = []
    for alert, event in due:
        alert.notify_seq = (alert.notify_seq or 0) + 1
        alert.notified_at = now
        alert.notified_source_count = alert.source_count
        supplier = supplier_of(alert.supplier_id) if alert.supplier_id else None
        channels = targets.for_alert(alert, supplier)
        if not channels:
            continue
        payload = {"event": event, "sequence": alert.notify_seq, "alert": alert_snapshot(alert, supplier)}
        rows += [{"alert_id": alert.id, "channel_id": ch.id, "idempotency_key": alert_key(alert.id, alert.notify_seq, ch.id),
                  "payload": payload, "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
                 for ch in channels]
    if not rows:
        return 0
    if any(a.notify_seq > 1 for a, _ in due):
        keys = [r["idempotency_key"] for r in rows]
        with session.no_autoflush:
            existing = set(session.scalars(select(OutboxMessage.idempotency_key)
                                           .where(OutboxMessage.idempotency_key.in_(keys))))
        rows = [r for r in rows if r["idempotency_key"] not in existing]
    if rows:
        session.execute(insert(OutboxMessage), rows)
    return len(rows)


def notify(session: Session, alert: Alert, supplier: Supplier | None, targets: Targets, *,
           event: str, now: datetime) -> int:
    """Enqueue the next notification of one alert (see :func:`notify_many`)."""
    return notify_many(session, [(alert, event)], lambda _sid: supplier, targets, now=now)


def flush_throttled(session: Session, cfg: AlertConfig, now: datetime, targets: Targets | None = None) -> int:
    """Send the updates the throttle held back whose period is over; returns messages enqueued."""
    shortest = min([cfg.throttle_minutes(c) for c in cfg.section("throttle").get("by_category", {})]
                   + [float(cfg.section("throttle").get("default_minutes", 60))])
    cutoff = now - timedelta(minutes=shortest)
    pending = session.scalars(
        select(Alert).options(selectinload(Alert.sources))
        .where(Alert.source_count > Alert.notified_source_count, Alert.status.not_in(CLOSED),
               Alert.notified_at <= cutoff)
    ).all()
    n = 0
    for alert in pending:
        if throttle_passed(alert, cfg, now):
            targets = targets or Targets(session)
            n += notify(session, alert, session.get(Supplier, alert.supplier_id) if alert.supplier_id else None,
                        targets, event="alert.updated", now=now)
    if n:
        session.flush()
    return n
