"""Procurement CSR agreements (采购 CSR 协议): validate, upsert, expire, list.

Used by the file importer (``scrapers.agreements``), the API and the daily expiry job.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from riskradar.domain.agreements import Agreement
from riskradar.domain.base import AGREEMENT_STATUSES, RED_LINES
from riskradar.domain.suppliers import Supplier
from scrapers import fields as F

EXPIRY_WARNING_DAYS = 30

STATUS_WORDS: dict[str, str] = {
    "signed": "signed", "sign": "signed", "已签署": "signed", "已签": "signed", "签署": "signed", "有效": "signed",
    "active": "signed", "valid": "signed",
    "pending": "pending", "待签署": "pending", "待签": "pending", "未签署": "pending", "未签": "pending",
    "审批中": "pending", "sent": "pending", "in review": "pending",
    "refused": "refused", "rejected": "refused", "declined": "refused", "拒签": "refused", "拒绝": "refused",
    "拒绝签署": "refused",
    "expired": "expired", "过期": "expired", "已过期": "expired", "失效": "expired", "已失效": "expired",
}
CLAUSE_WORDS: dict[str, str] = {
    "child_labour": "child_labour", "child labour": "child_labour", "child labor": "child_labour", "童工": "child_labour",
    "禁止童工": "child_labour", "forced_labour": "forced_labour", "forced labour": "forced_labour",
    "forced labor": "forced_labour", "强迫劳动": "forced_labour", "强制劳动": "forced_labour",
    "禁止强迫劳动": "forced_labour", "bribery": "bribery", "anti-bribery": "bribery", "anti bribery": "bribery",
    "anti-corruption": "bribery", "贿赂": "bribery", "商业贿赂": "bribery", "反腐败": "bribery", "反贿赂": "bribery",
    "廉洁": "bribery", "fire": "fire", "fire safety": "fire", "火灾": "fire", "消防": "fire", "消防安全": "fire",
}
_ALL = {"all", "全部", "所有", "*"}
_SPLIT = re.compile(r"[;,，；、|/\n]+")


class AgreementError(ValueError):
    """An invalid agreement value; ``column`` names the field."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.reason = message


def parse_status(value: Any) -> str:
    """signed / pending / refused / expired from English or Chinese wording."""
    if F.is_blank(value):
        raise AgreementError("status", "status is empty")
    key = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if key in AGREEMENT_STATUSES:
        return key
    if key not in STATUS_WORDS:
        raise AgreementError("status", f"unknown status {value!r} (signed, pending, refused, expired / 已签署, 待签署, 拒签, 已过期)")
    return STATUS_WORDS[key]


def parse_clauses(value: Any) -> list[str]:
    """Red-line codes from "child_labour;fire", "童工、火灾", a list, or "all"."""
    if F.is_blank(value):
        return []
    items = value if isinstance(value, (list, tuple)) else _SPLIT.split(str(value))
    found: list[str] = []
    for item in items:
        key = unicodedata.normalize("NFKC", str(item)).strip().lower()
        if not key:
            continue
        if key in _ALL:
            return list(RED_LINES)
        code = CLAUSE_WORDS.get(key) or CLAUSE_WORDS.get(key.replace("_", " "))
        if code is None:
            raise AgreementError("clauses_acknowledged",
                                 f"unknown red-line clause {item!r} (use {', '.join(RED_LINES)} or 童工/强迫劳动/贿赂/火灾)")
        if code not in found:
            found.append(code)
    return [c for c in RED_LINES if c in found]


def validate_agreement(data: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised agreement fields from plain data; raises :class:`AgreementError` on the first bad field."""
    version = F.text(data.get("version"), 32) or "1"
    status = parse_status(data.get("status"))
    values: dict[str, Any] = {"version": version, "status": status}
    for column in ("signed_date", "expiry_date", "training_date"):
        try:
            values[column] = F.parse_date(data.get(column))
        except ValueError as exc:
            raise AgreementError(column, str(exc)) from None
    values["clauses_acknowledged"] = parse_clauses(data.get("clauses_acknowledged"))
    try:
        values["training_completed"] = bool(F.parse_bool(data.get("training_completed"), default=False))
    except ValueError as exc:
        raise AgreementError("training_completed", str(exc)) from None
    if status == "signed" and values["signed_date"] is None:
        raise AgreementError("signed_date", "a signed agreement needs signed_date")
    if values["signed_date"] and values["expiry_date"] and values["expiry_date"] < values["signed_date"]:
        raise AgreementError("expiry_date", "expiry_date is before signed_date")
    values["notes"] = F.text(data.get("notes"))
    return values


def find_supplier(session: Session, supplier_ref: str) -> Supplier:
    """The supplier with this external reference; ValueError when there is none."""
    supplier = session.scalar(select(Supplier).where(Supplier.external_ref == supplier_ref))
    if supplier is None:
        raise AgreementError("supplier_ref", f"unknown supplier reference {supplier_ref!r}")
    return supplier


def upsert_values(session: Session, supplier_id: int, values: Mapping[str, Any],
                  *, import_batch_id: int | None = None) -> tuple[Agreement, str]:
    """Create or update the (supplier, version) agreement; returns it and created/updated/unchanged."""
    agreement = session.scalar(select(Agreement).where(Agreement.supplier_id == supplier_id,
                                                       Agreement.version == values["version"]))
    fields = {k: v for k, v in values.items() if k != "version"}
    if agreement is None:
        agreement = Agreement(supplier_id=supplier_id, version=values["version"], import_batch_id=import_batch_id, **fields)
        session.add(agreement)
        outcome = "created"
    elif any(getattr(agreement, k) != v for k, v in fields.items()):
        for k, v in fields.items():
            setattr(agreement, k, v)
        if import_batch_id is not None:
            agreement.import_batch_id = import_batch_id
        outcome = "updated"
    else:
        return agreement, "unchanged"
    session.execute(update(Supplier).where(Supplier.id == supplier_id).values(needs_rescore=True))
    session.flush()
    return agreement, outcome


def upsert_agreement(session: Session, supplier_ref: str, data: dict[str, Any]) -> Agreement:
    """Create or update a supplier's agreement from API data (keys as in the import template).

    Raises ``ValueError`` (an :class:`AgreementError` naming the field) for invalid data or an
    unknown supplier. Marks the supplier for re-scoring when anything changed.
    """
    supplier = find_supplier(session, supplier_ref)
    agreement, _ = upsert_values(session, supplier.id, validate_agreement(data))
    return agreement


def expire_agreements(session: Session, today: date) -> dict[str, Any]:
    """Mark signed/pending agreements past their expiry date as expired; list those expiring soon.

    Returns ``{"expired": n, "expired_agreements": [...], "expiring_soon": [...]}`` where
    "soon" is within :data:`EXPIRY_WARNING_DAYS` days (inclusive).
    """
    due = session.execute(
        select(Agreement, Supplier.external_ref).join(Supplier, Supplier.id == Agreement.supplier_id)
        .where(Agreement.status.in_(("signed", "pending")), Agreement.expiry_date.is_not(None),
               Agreement.expiry_date < today)
    ).all()
    expired = []
    for agreement, ref in due:
        agreement.status = "expired"
        expired.append(_summary(agreement, ref, today))
    if due:
        ids = sorted({a.supplier_id for a, _ in due})
        session.execute(update(Supplier).where(Supplier.id.in_(ids)).values(needs_rescore=True))
    soon = session.execute(
        select(Agreement, Supplier.external_ref).join(Supplier, Supplier.id == Agreement.supplier_id)
        .where(Agreement.status == "signed", Agreement.expiry_date >= today,
               Agreement.expiry_date <= today + timedelta(days=EXPIRY_WARNING_DAYS))
        .order_by(Agreement.expiry_date)
    ).all()
    session.flush()
    return {"expired": len(expired), "expired_agreements": expired,
            "expiring_soon": [_summary(a, ref, today) for a, ref in soon]}


def _summary(agreement: Agreement, supplier_ref: str, today: date) -> dict[str, Any]:
    return {
        "agreement_id": agreement.id,
        "supplier_id": agreement.supplier_id,
        "supplier_ref": supplier_ref,
        "version": agreement.version,
        "status": agreement.status,
        "expiry_date": agreement.expiry_date,
        "days_left": (agreement.expiry_date - today).days if agreement.expiry_date else None,
    }


def list_agreements(session: Session, *, supplier_id: int | None = None, status: str | None = None,
                    limit: int = 50, offset: int = 0) -> list[Agreement]:
    """Agreements, newest expiry first, optionally for one supplier or status."""
    query = select(Agreement).order_by(Agreement.expiry_date.desc().nulls_last(), Agreement.id)
    if supplier_id is not None:
        query = query.where(Agreement.supplier_id == supplier_id)
    if status is not None:
        query = query.where(Agreement.status == status)
    return list(session.scalars(query.limit(limit).offset(offset)))
