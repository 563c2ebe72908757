"""Red-line alerts (one per incident), their sources and history, channels and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskradar.domain.base import Base, TimestampMixin, utcnow


class Alert(TimestampMixin, Base):
    """One incident at one supplier in one category; repeated reports update it."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_category", "status", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(32))  # news | audit_finding | agreement | tier_change
    dedupe_key: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    severity: Mapped[str] = mapped_column(String(16), default="high")
    title: Mapped[str] = mapped_column(Text)
    title_zh: Mapped[Optional[str]] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    source_count: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_note: Mapped[Optional[str]] = mapped_column(Text)
    # Notification bookkeeping (riskradar.alerts.incidents): how many notifications were
    # enqueued, when the last one was, and how many sources it reported (throttled updates).
    notify_seq: Mapped[int] = mapped_column(default=0)
    notified_at: Mapped[Optional[datetime]] = mapped_column()
    notified_source_count: Mapped[int] = mapped_column(default=0)

    sources: Mapped[list["AlertSource"]] = relationship(back_populates="alert", cascade="all, delete-orphan")
    events: Mapped[list["AlertEvent"]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="AlertEvent.id"
    )


class AlertSource(Base):
    """A piece of evidence attached to an alert (article, finding, agreement, snapshot)."""

    __tablename__ = "alert_sources"
    __table_args__ = (UniqueConstraint("alert_id", "kind", "ref_id", name="uq_alert_sources_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # article | finding | agreement | snapshot
    ref_id: Mapped[int] = mapped_column()
    url: Mapped[Optional[str]] = mapped_column(String(2048))
    title: Mapped[Optional[str]] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="sources")


class AlertEvent(Base):
    """Who did what to an alert, and when (created, updated, acknowledged, ..., delivered)."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(24))
    note: Mapped[Optional[str]] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    alert: Mapped[Alert] = relationship(back_populates="events")


class Channel(TimestampMixin, Base):
    """A delivery destination: email, generic webhook, WeCom, DingTalk, Feishu, Slack."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(2048))
    name: Mapped[Optional[str]] = mapped_column(String(255))
    secret: Mapped[Optional[str]] = mapped_column(String(255))  # HMAC / signing secret
    language: Mapped[str] = mapped_column(String(8), default="zh")
    enabled: Mapped[bool] = mapped_column(default=True)
    consecutive_failures: Mapped[int] = mapped_column(default=0)


class Subscription(TimestampMixin, Base):
    """A user's choice of categories, regions, tiers and channel for alerts."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    categories: Mapped[list[Any]] = mapped_column(default=list)  # empty = all
    regions: Mapped[list[Any]] = mapped_column(default=list)  # countries / provinces, empty = all
    tiers: Mapped[list[Any]] = mapped_column(default=list)  # empty = all
    daily_digest: Mapped[bool] = mapped_column(default=False)


class OutboxMessage(Base):
    """A durable delivery of one alert version to one channel; retried until sent exactly once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | sent | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column()


class AlertWatermark(Base):
    """How far each detection rule has read its evidence table, so a cycle sees only new rows."""

    __tablename__ = "alert_watermarks"

    rule: Mapped[str] = mapped_column(String(48), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[Optional[datetime]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
