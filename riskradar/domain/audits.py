"""Social-compliance audits, their findings and corrective actions, SME 1000-point scores."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskradar.domain.base import Base, TimestampMixin


class Audit(TimestampMixin, Base):
    """One audit (or SME evaluation) of a supplier under one scheme."""

    __tablename__ = "audits"
    __table_args__ = (UniqueConstraint("external_ref", name="uq_audits_external_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(128))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[Optional[int]] = mapped_column(ForeignKey("supplier_sites.id", ondelete="SET NULL"))
    scheme: Mapped[str] = mapped_column(String(16), index=True)  # see base.AUDIT_SCHEMES
    scheme_raw: Mapped[Optional[str]] = mapped_column(String(64))
    audit_type: Mapped[Optional[str]] = mapped_column(String(32))  # initial | follow_up | self_assessment ...
    audit_date: Mapped[date] = mapped_column(Date, index=True)
    auditor: Mapped[Optional[str]] = mapped_column(String(255))
    score: Mapped[Optional[float]] = mapped_column()
    score_max: Mapped[Optional[float]] = mapped_column()
    grade: Mapped[Optional[str]] = mapped_column(String(16))  # BSCI A–E, SME AAA–C, SA8000 certified ...
    result: Mapped[Optional[str]] = mapped_column(String(32))  # pass | conditional | fail | certified | not_certified
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the original row, for provenance
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))

    findings: Mapped[list["AuditFinding"]] = relationship(back_populates="audit", cascade="all, delete-orphan")
    sme_scores: Mapped[list["SmeIndicatorScore"]] = relationship(back_populates="audit", cascade="all, delete-orphan")


class AuditFinding(TimestampMixin, Base):
    """A finding with its normalised category and severity and its corrective action (整改)."""

    __tablename__ = "audit_findings"
    __table_args__ = (
        UniqueConstraint("audit_id", "finding_ref", name="uq_audit_findings_audit_ref"),
        Index("ix_audit_findings_open", "status", "severity", "category"),
        # Overdue corrective actions (status = open AND cap_due_date < today), covering the
        # supplier filter too.
        Index("ix_audit_findings_cap_due", "status", "cap_due_date", "supplier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    finding_ref: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32))  # see base.FINDING_CATEGORIES
    category_raw: Mapped[Optional[str]] = mapped_column(String(255))
    severity: Mapped[str] = mapped_column(String(16))  # see base.SEVERITIES
    severity_raw: Mapped[Optional[str]] = mapped_column(String(64))
    description: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    cap_due_date: Mapped[Optional[date]] = mapped_column(Date)
    closed_date: Mapped[Optional[date]] = mapped_column(Date)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))

    audit: Mapped[Audit] = relationship(back_populates="findings")

    def is_overdue(self, today: date) -> bool:
        """Open with a corrective-action due date in the past."""
        return self.status == "open" and self.cap_due_date is not None and self.cap_due_date < today


class SmeIndicatorScore(Base):
    """Points awarded for one indicator of the SME CSR evaluation standard (54 indicators)."""

    __tablename__ = "sme_indicator_scores"
    __table_args__ = (UniqueConstraint("audit_id", "indicator_code", name="uq_sme_scores_audit_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column()
    max_points: Mapped[float] = mapped_column()

    audit: Mapped[Audit] = relationship(back_populates="sme_scores")
