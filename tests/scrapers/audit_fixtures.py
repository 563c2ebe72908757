"""Helpers shared by the audit, agreement and inbox tests (plain functions, real rows)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlalchemy.orm import Session

from riskradar.domain.suppliers import Supplier

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def add_suppliers(session: Session, refs: Iterable[str] = tuple(f"SUP-{i:06d}" for i in range(1, 12))) -> list[Supplier]:
    """Store suppliers with these references (already scored, so needs_rescore starts False)."""
    suppliers = [Supplier(external_ref=ref, name_zh=f"测试供应商{ref}有限公司", name_en=f"Test Supplier {ref} Co., Ltd.",
                          country="CN", industry="electronics", needs_rescore=False) for ref in refs]
    session.add_all(suppliers)
    session.commit()
    return suppliers


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8") -> Path:
    """Write a CSV file and return its path."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
