"""Import CSR agreement status (采购 CSR 协议) from CSV or XLSX.

One row per (supplier, version); upserted, so re-importing a file changes nothing. Status,
dates, red-line clauses and training flags are validated by
:func:`riskradar.services.agreements.validate_agreement`; each bad row is reported with its
row number, column and reason, and the valid rows are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar.domain.imports import ImportBatch
from riskradar.domain.suppliers import Supplier
from riskradar.services.agreements import AgreementError, upsert_values, validate_agreement
from riskradar.settings import Settings
from scrapers import fields as F

KIND = "agreements"

COLUMNS: dict[str, tuple[str, ...]] = {
    "supplier_ref": ("supplier_id", "supplier", "supplier_code", "vendor_code", "供应商编号", "供应商代码"),
    "version": ("agreement_version", "协议版本", "版本"),
    "status": ("agreement_status", "状态", "签署状态", "协议状态"),
    "signed_date": ("sign_date", "date_signed", "签署日期"),
    "expiry_date": ("expires", "expiry", "valid_until", "到期日期", "有效期至"),
    "clauses_acknowledged": ("clauses", "red_line_clauses", "red_lines", "红线条款", "确认条款"),
    "training_completed": ("training", "培训完成", "已培训"),
    "training_date": ("培训日期",),
    "notes": ("note", "remarks", "备注"),
}
ALIASES = F.build_alias_map(COLUMNS)


def store_agreement_rows(session: Session, rows: list[tuple[Any, dict[str, Any]]],
                         batch_id: int | None) -> dict[str, Any]:
    """Validate and upsert numbered rows; returns ``{"counts": ..., "errors": [...]}``."""
    errors: list[dict[str, Any]] = []
    counts = {"total": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    data_rows = [(n, F.canonical_row(r, ALIASES)) for n, r in rows]
    data_rows = [(n, d) for n, d in data_rows if not all(F.is_blank(v) for v in d.values())]
    refs = sorted({F.text(d.get("supplier_ref")) or "" for _, d in data_rows} - {""})
    suppliers: dict[str, int] = {}
    for start in range(0, len(refs), 500):
        suppliers.update((ref, id_) for ref, id_ in session.execute(
            select(Supplier.external_ref, Supplier.id).where(Supplier.external_ref.in_(refs[start:start + 500]))))
    seen: dict[tuple[int, str], Any] = {}
    for number, data in data_rows:
        counts["total"] += 1
        try:
            ref = F.text(data.get("supplier_ref"))
            if not ref:
                raise AgreementError("supplier_ref", "supplier_ref is empty")
            if ref not in suppliers:
                raise AgreementError("supplier_ref", f"unknown supplier reference {ref!r}")
            values = validate_agreement(data)
            key = (suppliers[ref], values["version"])
            if key in seen:
                raise AgreementError("version", f"duplicate row for supplier {ref!r} version {values['version']!r} "
                                                f"(first on row {seen[key]})")
            seen[key] = number
        except AgreementError as exc:
            errors.append({"row": number, "column": exc.column, "reason": exc.reason})
            counts["rejected"] += 1
            continue
        _, outcome = upsert_values(session, suppliers[ref], values, import_batch_id=batch_id)
        counts[outcome] += 1
    return {"counts": counts, "errors": errors}


def import_agreements(session: Session, settings: Settings, path: Path | str, *, source: str = "cli",
                      created_by: str | None = None, file_name: str | None = None) -> ImportBatch:
    """Import an agreement CSV/XLSX; returns the finished :class:`ImportBatch` (caller commits).

    A file that is not a table gives a ``failed`` batch with ``error`` set; bad rows are in
    ``batch.errors``; the original file is retained under ``settings.raw_dir``.
    """
    from riskradar.services.imports import finish_batch, start_batch
    from scrapers.audits import _table_sheets
    from scrapers.tabular import NotATableError

    path = Path(path)
    batch = start_batch(session, settings, KIND, path, source=source, created_by=created_by, file_name=file_name)
    try:
        sheets = _table_sheets(path, settings.max_import_bytes)
    except NotATableError as exc:
        return finish_batch(session, batch, [], {}, error=str(exc))
    multi = len([s for s in sheets if s[1]]) > 1
    rows = [(f"{name}:{n}" if multi else n, r) for name, sheet in sheets for n, r in sheet]
    outcome = store_agreement_rows(session, rows, batch.id)
    return finish_batch(session, batch, outcome["errors"], outcome["counts"])
