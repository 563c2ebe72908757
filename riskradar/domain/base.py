"""Declarative base, shared column types and enumerations of the domain vocabulary."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores timezone-aware datetimes as UTC; returns aware UTC datetimes on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        # SQLite keeps no zone: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Base class of every RiskRadar table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class TimestampMixin:
    """created_at / updated_at maintained by SQLAlchemy."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- Vocabulary -----------------------------------------------------------------------------
# Plain tuples of strings (stored as VARCHAR) keep migrations portable and values readable.

RED_LINES: tuple[str, ...] = ("child_labour", "forced_labour", "bribery", "fire")
SECONDARY_CATEGORIES: tuple[str, ...] = ("wages_hours", "health_safety", "environment", "discrimination")
CLASSIFIER_LABELS: tuple[str, ...] = RED_LINES + SECONDARY_CATEGORIES
FINDING_CATEGORIES: tuple[str, ...] = CLASSIFIER_LABELS + ("management_system", "other")
SEVERITIES: tuple[str, ...] = ("zero_tolerance", "major", "minor", "observation")
SUPPLIER_STATUSES: tuple[str, ...] = ("prospect", "onboarding", "active", "suspended", "exited")
CRITICALITIES: tuple[str, ...] = ("low", "medium", "high", "single_source")
AGREEMENT_STATUSES: tuple[str, ...] = ("signed", "pending", "refused", "expired")
AUDIT_SCHEMES: tuple[str, ...] = ("rba", "smeta", "bsci", "sa8000", "ipc1401", "customer", "internal", "sme")
RISK_TIERS: tuple[str, ...] = ("low", "medium", "high", "red_line")
ROLES: tuple[str, ...] = ("admin", "csr_lead", "procurement", "buyer", "viewer")
ALERT_STATUSES: tuple[str, ...] = ("new", "acknowledged", "confirmed", "dismissed", "resolved")
