"""Queries over audits and findings: red-line events, overdue corrective actions, listings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from riskradar.domain.audits import Audit, AuditFinding
from riskradar.domain.base import RED_LINES


def open_red_line_findings(session: Session, *, since: datetime | None = None) -> list[AuditFinding]:
    """Open zero-tolerance findings in a red-line category (red-line events for alerting).

    ``since`` keeps only findings created or changed at or after that moment (so a detector can
    ask for what is new since its last cycle). Each finding has its ``audit`` loaded.
    """
    query = (
        select(AuditFinding)
        .options(joinedload(AuditFinding.audit))
        .where(AuditFinding.status == "open", AuditFinding.severity == "zero_tolerance",
               AuditFinding.category.in_(RED_LINES))
        .order_by(AuditFinding.updated_at, AuditFinding.id)
    )
    if since is not None:
        query = query.where(AuditFinding.updated_at >= since)
    return list(session.scalars(query))


def overdue_findings(session: Session, today: date, *, supplier_id: int | None = None) -> list[AuditFinding]:
    """Open findings whose corrective-action due date is before ``today`` (oldest due first)."""
    query = (
        select(AuditFinding)
        .options(joinedload(AuditFinding.audit))
        .where(AuditFinding.status == "open", AuditFinding.cap_due_date.is_not(None),
               AuditFinding.cap_due_date < today)
        .order_by(AuditFinding.cap_due_date, AuditFinding.id)
    )
    if supplier_id is not None:
        query = query.where(AuditFinding.supplier_id == supplier_id)
    return list(session.scalars(query))


def list_audits(session: Session, *, supplier_id: int | None = None, scheme: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[Audit], int]:
    """Audits, newest first, with the total count for paging."""
    query = select(Audit)
    if supplier_id is not None:
        query = query.where(Audit.supplier_id == supplier_id)
    if scheme is not None:
        query = query.where(Audit.scheme == scheme)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Audit.audit_date.desc(), Audit.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def finding_summary(finding: AuditFinding, today: date | None = None) -> dict[str, Any]:
    """Plain data for a finding (API, CLI, alerts)."""
    return {
        "id": finding.id,
        "audit_ref": finding.audit.external_ref if finding.audit else None,
        "scheme": finding.audit.scheme if finding.audit else None,
        "supplier_id": finding.supplier_id,
        "finding_ref": finding.finding_ref,
        "category": finding.category,
        "category_raw": finding.category_raw,
        "severity": finding.severity,
        "severity_raw": finding.severity_raw,
        "description": finding.description,
        "status": finding.status,
        "cap_due_date": finding.cap_due_date,
        "closed_date": finding.closed_date,
        "overdue": finding.is_overdue(today) if today else None,
    }
