"""Procurement CSR agreements (采购 CSR 协议) signed by suppliers."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskradar.domain.base import RED_LINES, Base, TimestampMixin


class Agreement(TimestampMixin, Base):
    """The CSR agreement of a supplier in one version, with the red-line clauses acknowledged."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("supplier_id", "version", name="uq_agreements_supplier_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)  # signed | pending | refused | expired
    signed_date: Mapped[Optional[date]] = mapped_column(Date)
    expiry_date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    clauses_acknowledged: Mapped[list[Any]] = mapped_column(default=list)  # red-line codes
    training_completed: Mapped[bool] = mapped_column(default=False)
    training_date: Mapped[Optional[date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))

    def missing_clauses(self) -> list[str]:
        """Red-line clauses this agreement does not cover."""
        have = set(self.clauses_acknowledged or [])
        return [code for code in RED_LINES if code not in have]
