"""Risk scoring runs and per-supplier snapshots (history of the risk map)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from riskradar.domain.base import Base, utcnow


class ScoringRun(Base):
    """One scoring pass (full or incremental)."""

    __tablename__ = "scoring_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    full: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column()
    suppliers_scored: Mapped[int] = mapped_column(default=0)
    tier_changes: Mapped[int] = mapped_column(default=0)
    model_version: Mapped[Optional[str]] = mapped_column(String(64))


class RiskSnapshot(Base):
    """A supplier's score, risk-map cell, tier and reasons as computed by one run."""

    __tablename__ = "risk_snapshots"
    __table_args__ = (
        Index("ix_risk_snapshots_supplier_time", "supplier_id", "computed_at"),
        # The dashboard's "tier movers": only snapshots whose tier changed, a small share of all
        # (partial index; the query repeats this condition so both SQLite and PostgreSQL use it).
        Index("ix_risk_snapshots_tier_changes", "computed_at",
              sqlite_where=text("previous_tier IS NOT NULL AND previous_tier != tier"),
              postgresql_where=text("previous_tier IS NOT NULL AND previous_tier != tier")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("scoring_runs.id", ondelete="SET NULL"), index=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[float] = mapped_column()  # overall 0..100
    likelihood: Mapped[float] = mapped_column()  # 0..100
    impact: Mapped[float] = mapped_column()  # 0..100
    likelihood_band: Mapped[int] = mapped_column()  # 1..5 (row of the risk map)
    impact_band: Mapped[int] = mapped_column()  # 1..5 (column of the risk map)
    tier: Mapped[str] = mapped_column(String(16), index=True)
    previous_tier: Mapped[Optional[str]] = mapped_column(String(16))
    categories: Mapped[dict[str, Any]] = mapped_column(default=dict)  # category -> likelihood 0..100
    reasons: Mapped[list[Any]] = mapped_column(default=list)  # [{"factor", "value", "en", "zh", "weight"}]
    inputs_hash: Mapped[Optional[str]] = mapped_column(String(64))
