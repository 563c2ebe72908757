"""Import batches: provenance for every imported row, with the original file retained."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riskradar.domain.base import Base, utcnow


class ImportBatch(Base):
    """One import of one file (or API payload): counts, row errors, where the original is kept."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # suppliers | audits | agreements | ...
    source: Mapped[str] = mapped_column(String(16), default="cli")  # cli | inbox | web | api | demo
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(default=0)
    stored_path: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), default="running")  # running | completed | completed_with_errors | failed
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_created: Mapped[int] = mapped_column(default=0)
    rows_updated: Mapped[int] = mapped_column(default=0)
    rows_unchanged: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)  # [{"row": n, "column": c, "reason": r}]
    error: Mapped[Optional[str]] = mapped_column(Text)  # whole-file failure
    created_by: Mapped[Optional[str]] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column()

    def summary(self) -> dict[str, Any]:
        """Plain-data view used by CLI --json, the API and inbox error reports."""
        return {
            "batch_id": self.id,
            "kind": self.kind,
            "file": self.file_name,
            "sha256": self.sha256,
            "status": self.status,
            "rows_total": self.rows_total,
            "created": self.rows_created,
            "updated": self.rows_updated,
            "unchanged": self.rows_unchanged,
            "rejected": self.rows_rejected,
            "errors": self.errors,
            "error": self.error,
            "stored_path": self.stored_path,
        }
