"""Scheduled job runs and the slot claims that make each run happen once across schedulers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskradar.domain.base import Base, utcnow


class JobRun(Base):
    """One execution of a scheduled (or manual) job, claimed by slot so it runs once."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    slot: Mapped[str] = mapped_column(String(64))  # schedule slot (e.g. epoch // interval) or "manual-<uuid>"
    owner: Mapped[str] = mapped_column(String(128))  # host:pid of the scheduler that ran it
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | error | abandoned
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[Optional[datetime]] = mapped_column()
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[Optional[str]] = mapped_column(Text)
