"""CSR agreement import and API upsert: zh/en statuses, clauses, bad rows, idempotency, expiry."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_fixtures import EXAMPLES, add_suppliers, write_csv
from riskradar.domain.agreements import Agreement
from riskradar.domain.suppliers import Supplier
from riskradar.services.agreements import AgreementError, expire_agreements, upsert_agreement
from riskradar.settings import Settings
from scrapers.agreements import import_agreements


def _by_supplier(session: Session) -> dict[str, Agreement]:
    rows = session.execute(select(Supplier.external_ref, Agreement).join(Agreement, Agreement.supplier_id == Supplier.id))
    return {ref: a for ref, a in rows}


def test_example_csv_in_english_and_chinese(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    batch = import_agreements(session, settings, EXAMPLES / "agreements.csv")
    session.commit()
    assert batch.status == "completed", batch.errors
    got = _by_supplier(session)
    assert {ref: a.status for ref, a in got.items()} == {
        "SUP-000001": "signed", "SUP-000002": "signed", "SUP-000003": "pending", "SUP-000004": "refused", "SUP-000005": "expired"}
    assert got["SUP-000002"].clauses_acknowledged == ["child_labour", "forced_labour", "bribery", "fire"]
    assert got["SUP-000002"].training_completed is True and got["SUP-000002"].signed_date == date(2024, 2, 20)
    assert got["SUP-000005"].missing_clauses() == ["forced_labour", "bribery"]


def test_reimport_changes_nothing(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    import_agreements(session, settings, EXAMPLES / "agreements.csv")
    session.commit()
    again = import_agreements(session, settings, EXAMPLES / "agreements.csv")
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 5)


def test_xlsx_with_chinese_headers(session: Session, settings: Settings, tmp_path: Path) -> None:
    add_suppliers(session)
    wb = Workbook()
    ws = wb.active
    ws.append(["供应商编号", "协议版本", "签署状态", "签署日期", "到期日期", "红线条款", "培训完成"])
    ws.append(["SUP-000003", "2025.1", "已签署", date(2025, 1, 2), date(2027, 1, 1), "全部", "是"])
    wb.save(tmp_path / "协议.xlsx")
    batch = import_agreements(session, settings, tmp_path / "协议.xlsx")
    assert batch.status == "completed", batch.errors
    agreement = _by_supplier(session)["SUP-000003"]
    assert agreement.clauses_acknowledged == ["child_labour", "forced_labour", "bribery", "fire"]
    assert agreement.expiry_date == date(2027, 1, 1)


def test_bad_rows_are_reported_and_valid_rows_kept(session: Session, settings: Settings, tmp_path: Path) -> None:
    add_suppliers(session)
    header = ["supplier_ref", "version", "status", "signed_date", "expiry_date", "clauses_acknowledged", "training_completed"]
    rows = [
        ["SUP-000001", "1", "signed", "2024-01-01", "2026-01-01", "child_labour;fire", "yes"],
        ["SUP-9999", "1", "signed", "2024-01-01", "2026-01-01", "", ""],
        ["SUP-000002", "1", "maybe", "", "", "", ""],
        ["SUP-000003", "1", "signed", "2024-02-30", "", "", ""],
        ["SUP-000004", "1", "signed", "2024-01-01", "2023-01-01", "", ""],
        ["SUP-000005", "1", "signed", "2024-01-01", "", "童工;wages", ""],
        ["SUP-000006", "1", "pending", "", "", "", "sometimes"],
        ["SUP-000007", "1", "signed", "", "", "", ""],
        ["SUP-000001", "1", "signed", "2024-01-01", "2026-01-01", "", ""],
    ]
    batch = import_agreements(session, settings, write_csv(tmp_path / "bad.csv", header, rows))
    assert batch.status == "completed_with_errors"
    assert [(e["row"], e["column"]) for e in batch.errors] == [
        (3, "supplier_ref"), (4, "status"), (5, "signed_date"), (6, "expiry_date"), (7, "clauses_acknowledged"),
        (8, "training_completed"), (9, "signed_date"), (10, "version")]
    assert "unknown red-line clause 'wages'" in batch.errors[4]["reason"]
    assert set(_by_supplier(session)) == {"SUP-000001"}
    assert (batch.rows_total, batch.rows_created, batch.rows_rejected) == (9, 1, 8)


def test_not_a_table_fails(session: Session, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "agreements.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    batch = import_agreements(session, settings, path)
    assert batch.status == "failed" and batch.error


def test_upsert_agreement_for_the_api(session: Session) -> None:
    (supplier,) = add_suppliers(session, ["SUP-0100"])
    agreement = upsert_agreement(session, "SUP-0100", {"status": "待签署", "version": "2025.1"})
    assert agreement.status == "pending" and agreement.supplier_id == supplier.id
    session.execute(Supplier.__table__.update().values(needs_rescore=False))
    updated = upsert_agreement(session, "SUP-0100", {"status": "signed", "version": "2025.1",
                                                     "signed_date": "2025-03-01", "clauses_acknowledged": ["fire", "童工"]})
    assert updated.id == agreement.id and updated.clauses_acknowledged == ["child_labour", "fire"]
    session.refresh(supplier)
    assert supplier.needs_rescore is True


@pytest.mark.parametrize(("ref", "data", "column"), [
    ("SUP-404", {"status": "signed"}, "supplier_ref"),
    ("SUP-0100", {"status": "nope"}, "status"),
    ("SUP-0100", {"status": "signed"}, "signed_date"),
])
def test_upsert_agreement_rejects_bad_data(session: Session, ref: str, data: dict, column: str) -> None:
    add_suppliers(session, ["SUP-0100"])
    with pytest.raises(ValueError) as info:
        upsert_agreement(session, ref, data)
    assert isinstance(info.value, AgreementError) and info.value.column == column


def test_expire_agreements_marks_expired_and_lists_expiring_soon(session: Session) -> None:
    add_suppliers(session, ["S-1", "S-2", "S-3", "S-4"])
    today = date(2025, 6, 1)
    upsert_agreement(session, "S-1", {"status": "signed", "signed_date": "2023-06-01", "expiry_date": "2025-05-31"})
    upsert_agreement(session, "S-2", {"status": "signed", "signed_date": "2023-06-01", "expiry_date": "2025-07-01"})
    upsert_agreement(session, "S-3", {"status": "signed", "signed_date": "2023-06-01", "expiry_date": "2025-07-02"})
    upsert_agreement(session, "S-4", {"status": "signed", "signed_date": "2023-06-01", "expiry_date": "2025-06-01"})
    result = expire_agreements(session, today)
    assert result["expired"] == 1 and result["expired_agreements"][0]["supplier_ref"] == "S-1"
    assert [(r["supplier_ref"], r["days_left"]) for r in result["expiring_soon"]] == [("S-4", 0), ("S-2", 30)]
    assert _by_supplier(session)["S-1"].status == "expired"
    assert expire_agreements(session, today)["expired"] == 0


def test_expiry_job_runs_through_run_job(db) -> None:  # type: ignore[no-untyped-def]
    from riskradar.jobs import run_named_job

    with db.scope() as session:
        add_suppliers(session, ["S-1"])
        upsert_agreement(session, "S-1", {"status": "signed", "signed_date": "2020-01-01", "expiry_date": "2021-01-01"})
    run = run_named_job(db, db.settings, "expire_agreements")
    assert run is not None and run.status == "ok" and run.counts["expired"] == 1


def test_cli_import_agreements(session: Session, settings: Settings) -> None:
    from riskradar.cli import main

    add_suppliers(session)
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["import", "agreements", str(EXAMPLES / "agreements.csv"), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 5
