"""Supplier import: zh/en headers, encodings, XLSX, upsert, parents, every kind of bad row, provenance."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riskradar.db import Database
from riskradar.domain import ImportBatch, Supplier
from riskradar.services.imports import find_batch_by_sha
from riskradar.services.suppliers import get_supplier, import_suppliers, list_suppliers
from riskradar.settings import Settings

ZH_HEADER = ["供应商编码", "供应商名称", "英文名称", "简称", "别名", "国家", "省份/地区", "行业", "产品", "年采购额",
             "币种", "关键程度", "层级", "上级供应商", "状态", "联系邮箱"]
EN_HEADER = ["Supplier ID", "Supplier name", "English name", "Short name", "Aliases", "Country", "Region", "Industry",
             "Products", "Annual spend", "Currency", "Criticality", "Tier level", "Parent ref", "Status",
             "Contact email"]
GOOD = [
    ["CN-001", "深圳华阳电子有限公司", "Shenzhen Huayang Electronics Co., Ltd.", "华阳电子", "华阳；Huayang|深圳华阳",
     "中国", "广东", "electronics", "PCB", "1,200,000", "人民币", "单一来源", "1", "", "合格", "csr@huayang.cn"],
    ["VN-002", "Minh Phat Garment Co., Ltd.", "", "Minh Phat", "Công ty TNHH Minh Phát", "越南", "Bình Dương",
     "apparel", "T-shirts", "350000", "USD", "high", "1", "", "active", ""],
    ["CN-003", "东莞鑫达塑胶有限公司", "", "鑫达塑胶", "", "CN", "广东", "plastics", "housings", "¥80万", "CNY", "中",
     "二级", "CN-001", "准入中", ""],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def run_import(db: Database, settings: Settings, path: Path) -> ImportBatch:
    with db.scope() as session:
        return import_suppliers(session, settings, path)


def suppliers(db: Database) -> dict[str, Supplier]:
    with db.scope() as session:
        return {s.external_ref: s for s in session.scalars(select(Supplier))}


def clear_rescore(session: Session) -> None:
    """As the scorer does after a run (keeping updated_at, which a Core update would otherwise bump)."""
    table = Supplier.__table__
    session.execute(table.update().values(needs_rescore=False, updated_at=table.c.updated_at))


def error_for(batch: ImportBatch, row: int) -> dict:
    matches = [e for e in batch.errors if e["row"] == row]
    assert len(matches) == 1, batch.errors
    return matches[0]


# --- formats ------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_headers_in_each_encoding(db: Database, settings: Settings, tmp_path: Path, encoding: str) -> None:
    batch = run_import(db, settings, write_csv(tmp_path / "s.csv", ZH_HEADER, GOOD, encoding=encoding))
    assert (batch.status, batch.rows_created, batch.rows_rejected) == ("completed", 3, 0)
    found = suppliers(db)
    huayang = found["CN-001"]
    assert huayang.name_zh == "深圳华阳电子有限公司"
    assert huayang.name_en == "Shenzhen Huayang Electronics Co., Ltd."
    assert huayang.aliases == ["华阳", "Huayang", "深圳华阳"]
    assert (huayang.country, huayang.region, huayang.annual_spend, huayang.currency) == ("CN", "广东", 1200000.0, "CNY")
    assert (huayang.criticality, huayang.tier_level, huayang.status) == ("single_source", 1, "active")
    assert huayang.needs_rescore is True
    minh = found["VN-002"]
    assert (minh.name_zh, minh.name_en, minh.country) == (None, "Minh Phat Garment Co., Ltd.", "VN")
    xinda = found["CN-003"]
    assert (xinda.tier_level, xinda.parent_id, xinda.annual_spend) == (2, huayang.id, 800000.0)
    assert (xinda.criticality, xinda.status) == ("medium", "onboarding")


def test_english_headers_in_xlsx(any_db: Database, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(EN_HEADER)
    for row in GOOD:
        ws.append([1200000 if cell == "1,200,000" else cell for cell in row])
    path = tmp_path / "suppliers.xlsx"
    wb.save(path)
    batch = run_import(any_db, any_db.settings, path)
    assert (batch.status, batch.rows_created) == ("completed", 3)
    assert suppliers(any_db)["CN-001"].annual_spend == 1200000.0


def test_workbook_with_an_instructions_sheet_first(db: Database, settings: Settings, tmp_path: Path) -> None:
    """Templates often start with a 填写说明 sheet; the supplier sheet is the one with the columns."""
    wb = Workbook()
    wb.active.title = "填写说明"
    wb.active.append(["说明", "请按模板填写"])
    sheet = wb.create_sheet("供应商")
    sheet.append(ZH_HEADER)
    sheet.append(GOOD[0])
    path = tmp_path / "template.xlsx"
    wb.save(path)
    batch = run_import(db, settings, path)
    assert (batch.status, batch.rows_created) == ("completed", 1)


def test_canonical_column_names_are_accepted(db: Database, settings: Settings, tmp_path: Path) -> None:
    header = ["external_ref", "name_zh", "name_en", "country", "tier_level", "parent_ref"]
    rows = [["A", "甲公司", "A Co", "CN", "1", ""], ["B", "", "B Ltd", "Viet Nam", "2", "A"]]
    batch = run_import(db, settings, write_csv(tmp_path / "c.csv", header, rows))
    assert batch.rows_created == 2
    assert suppliers(db)["B"].parent_id == suppliers(db)["A"].id


# --- upsert -------------------------------------------------------------------------------------

def test_reimport_of_the_same_file_changes_nothing(any_db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", ZH_HEADER, GOOD)
    run_import(any_db, any_db.settings, path)
    before = {ref: (s.updated_at, s.import_batch_id) for ref, s in suppliers(any_db).items()}
    with any_db.scope() as session:
        clear_rescore(session)
    again = run_import(any_db, any_db.settings, path)
    assert (again.status, again.rows_unchanged, again.rows_created, again.rows_updated) == ("completed", 3, 0, 0)
    after = suppliers(any_db)
    assert {ref: (s.updated_at, s.import_batch_id) for ref, s in after.items()} == before
    assert not any(s.needs_rescore for s in after.values())


def test_changed_row_is_updated_and_marked_for_rescoring(any_db: Database, tmp_path: Path) -> None:
    run_import(any_db, any_db.settings, write_csv(tmp_path / "a.csv", ZH_HEADER, GOOD))
    with any_db.scope() as session:
        clear_rescore(session)
    changed = [list(r) for r in GOOD]
    changed[1][5] = "Thailand"
    batch = run_import(any_db, any_db.settings, write_csv(tmp_path / "b.csv", ZH_HEADER, changed))
    assert (batch.rows_updated, batch.rows_unchanged) == (1, 2)
    found = suppliers(any_db)
    assert found["VN-002"].country == "TH"
    assert found["VN-002"].needs_rescore is True and found["VN-002"].import_batch_id == batch.id
    assert found["CN-001"].needs_rescore is False


def test_columns_missing_from_a_later_file_are_left_alone(db: Database, settings: Settings, tmp_path: Path) -> None:
    run_import(db, settings, write_csv(tmp_path / "full.csv", ZH_HEADER, GOOD))
    batch = run_import(db, settings, write_csv(tmp_path / "few.csv", ["供应商编码", "供应商名称", "国家"],
                                               [["CN-001", "深圳华阳电子有限公司", "中国"]]))
    assert batch.rows_unchanged == 1
    assert suppliers(db)["CN-001"].annual_spend == 1200000.0


def test_parent_later_in_the_file_is_resolved(db: Database, settings: Settings, tmp_path: Path) -> None:
    rows = [["T2", "二级厂", "", "", "", "中国", "", "", "", "", "", "", "2", "T1", "", ""],
            ["T1", "一级厂", "", "", "", "中国", "", "", "", "", "", "", "1", "", "", ""]]
    batch = run_import(db, settings, write_csv(tmp_path / "p.csv", ZH_HEADER, rows))
    assert batch.rows_created == 2
    found = suppliers(db)
    assert found["T2"].parent_id == found["T1"].id
    assert found["T2"].updated_at == found["T2"].created_at  # linking the parent is part of creating it


def test_parent_already_in_the_registry_is_resolved(db: Database, settings: Settings, tmp_path: Path) -> None:
    run_import(db, settings, write_csv(tmp_path / "a.csv", ZH_HEADER, GOOD[:1]))
    child = [["SUB-9", "小厂", "", "", "", "中国", "", "", "", "", "", "", "2", "CN-001", "", ""]]
    batch = run_import(db, settings, write_csv(tmp_path / "b.csv", ZH_HEADER, child))
    assert batch.rows_created == 1
    assert suppliers(db)["SUB-9"].parent_id == suppliers(db)["CN-001"].id


# --- bad rows: each is rejected with row, column and reason; the valid rows are kept ------------

BAD_CASES = [
    ("missing name", {"供应商名称": "", "英文名称": ""}, "供应商名称", "missing supplier name"),
    ("unknown country", {"国家": "Atlantis"}, "国家", "unknown country 'Atlantis'"),
    ("missing country", {"国家": ""}, "国家", "missing country"),
    ("negative spend", {"年采购额": "-5000"}, "年采购额", "negative annual spend"),
    ("spend that is not a number", {"年采购额": "about 5k"}, "年采购额", "not a number"),
    ("tier level 0", {"层级": "0"}, "层级", "bad tier level"),
    ("tier level text", {"层级": "top"}, "层级", "bad tier level"),
    ("unknown criticality", {"关键程度": "very"}, "关键程度", "unknown criticality"),
    ("unknown status", {"状态": "maybe"}, "状态", "unknown status"),
    ("unknown currency", {"币种": "DOGE"}, "币种", "unknown currency"),
    ("invalid email", {"联系邮箱": "not-an-email"}, "联系邮箱", "invalid email"),
    ("missing supplier ID", {"供应商编码": ""}, "供应商编码", "missing supplier ID"),
    ("unknown parent", {"上级供应商": "NOPE-1", "层级": "2"}, "上级供应商", "unknown parent supplier 'NOPE-1'"),
    ("own parent", {"上级供应商": "BAD-1", "层级": "2"}, "上级供应商", "own parent"),
]


@pytest.mark.parametrize("label, change, column, reason", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_row_is_rejected_with_row_column_and_reason(db: Database, tmp_path: Path, label: str,
                                                        change: dict[str, str], column: str, reason: str) -> None:
    check_bad_row(db, tmp_path, change, column, reason)


def test_bad_rows_on_both_databases(any_db: Database, tmp_path: Path) -> None:
    """The same rejection (and keeping of the valid rows) on SQLite and PostgreSQL."""
    check_bad_row(any_db, tmp_path, {"国家": "Atlantis"}, "国家", "unknown country 'Atlantis'")


def check_bad_row(any_db: Database, tmp_path: Path, change: dict[str, str], column: str, reason: str) -> None:
    bad = dict(zip(ZH_HEADER, ["BAD-1", "坏公司", "Bad Co", "", "", "中国", "", "", "", "100", "CNY", "low", "1",
                               "", "active", ""]))
    bad.update(change)
    rows = [GOOD[0], [bad[h] for h in ZH_HEADER], GOOD[1]]
    batch = run_import(any_db, any_db.settings, write_csv(tmp_path / "bad.csv", ZH_HEADER, rows))
    assert batch.status == "completed_with_errors"
    assert (batch.rows_total, batch.rows_created, batch.rows_rejected) == (3, 2, 1)
    error = error_for(batch, 3)
    assert error["column"] == column
    assert reason in error["reason"]
    assert set(suppliers(any_db)) == {"CN-001", "VN-002"}


def test_duplicate_supplier_id_in_the_file_keeps_the_first(db: Database, settings: Settings, tmp_path: Path) -> None:
    dup = list(GOOD[1])
    dup[0] = "CN-001"
    batch = run_import(db, settings, write_csv(tmp_path / "d.csv", ZH_HEADER, [GOOD[0], dup]))
    error = error_for(batch, 3)
    assert (error["column"], batch.rows_created) == ("供应商编码", 1)
    assert "duplicate supplier ID 'CN-001'" in error["reason"] and "row 2" in error["reason"]
    assert suppliers(db)["CN-001"].country == "CN"


def test_child_of_a_rejected_parent_is_rejected_too(db: Database, settings: Settings, tmp_path: Path) -> None:
    parent = list(GOOD[0])
    parent[5] = "Atlantis"  # the parent row is bad, so CN-003 (its child) has no parent to point to
    batch = run_import(db, settings, write_csv(tmp_path / "c.csv", ZH_HEADER, [parent, GOOD[1], GOOD[2]]))
    assert {e["row"] for e in batch.errors} == {2, 4}
    assert "unknown parent supplier 'CN-001'" in error_for(batch, 4)["reason"]
    assert set(suppliers(db)) == {"VN-002"}


def test_tier1_with_parent_is_rejected(db: Database, settings: Settings, tmp_path: Path) -> None:
    row = list(GOOD[2])
    row[12] = "1"
    batch = run_import(db, settings, write_csv(tmp_path / "t.csv", ZH_HEADER, [GOOD[0], row]))
    assert "tier-1 supplier cannot have a parent" in error_for(batch, 3)["reason"]


# --- whole-file failures ------------------------------------------------------------------------------

def test_file_that_is_not_a_table_fails_the_batch_and_changes_nothing(any_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    batch = run_import(any_db, any_db.settings, path)
    assert batch.status == "failed"
    assert "binary content" in batch.error
    assert batch.errors == [] and batch.rows_total == 0
    assert suppliers(any_db) == {}


def test_table_without_supplier_columns_fails(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "other.csv", ["date", "amount"], [["2026-01-01", "5"]])
    batch = run_import(db, settings, path)
    assert batch.status == "failed"
    assert "no supplier columns recognised" in batch.error


def test_missing_required_column_is_named(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nocountry.csv", ["供应商编码", "供应商名称"], [["A", "甲"]])
    batch = run_import(db, settings, path)
    assert batch.status == "failed"
    assert "国家 / Country" in batch.error


# --- provenance -----------------------------------------------------------------------------------

def test_original_file_is_retained_with_its_sha256(any_db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "供应商清单.csv", ZH_HEADER, GOOD, encoding="gb18030")
    batch = run_import(any_db, any_db.settings, path)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert batch.sha256 == sha
    stored = Path(batch.stored_path)
    assert stored == any_db.settings.raw_dir / "imports" / sha / "供应商清单.csv"
    assert stored.read_bytes() == path.read_bytes()
    assert (batch.kind, batch.source, batch.file_name, batch.size_bytes) == ("suppliers", "cli", "供应商清单.csv",
                                                                            path.stat().st_size)
    with any_db.scope() as session:
        assert find_batch_by_sha(session, "suppliers", sha).id == batch.id
        assert {s.import_batch_id for s in session.scalars(select(Supplier))} == {batch.id}


def test_failed_file_is_retained_too(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    batch = run_import(db, settings, path)
    assert batch.status == "failed"
    assert Path(batch.stored_path).read_bytes() == path.read_bytes()


def test_bench_supplier_csv_imports_cleanly(db: Database, settings: Settings, tmp_path: Path) -> None:
    """The generated scale CSV is in the import format (about 12% tier-2 rows with in-file parents)."""
    from bench.datasets import supplier_csv

    path = supplier_csv(400, tmp_path / "bench.csv")
    batch = run_import(db, settings, path)
    assert (batch.status, batch.rows_created) == ("completed", 400)
    with db.scope() as session:
        assert session.scalar(select(func.count()).where(Supplier.parent_id.is_not(None))) > 20


# --- queries --------------------------------------------------------------------------------------

@pytest.fixture
def loaded(db: Database, settings: Settings, tmp_path: Path) -> Session:
    run_import(db, settings, write_csv(tmp_path / "s.csv", ZH_HEADER, GOOD))
    session = db.session()
    yield session
    session.close()


def test_list_filters_by_country_name_and_tier_level(loaded: Session) -> None:
    items, total = list_suppliers(loaded, country="中国")
    assert total == 2 and {s.external_ref for s in items} == {"CN-001", "CN-003"}
    items, total = list_suppliers(loaded, tier="2")
    assert [s.external_ref for s in items] == ["CN-003"]
    with pytest.raises(ValueError, match="unknown country"):
        list_suppliers(loaded, country="Atlantis")


def test_list_search_covers_names_short_names_and_aliases(loaded: Session) -> None:
    assert [s.external_ref for s in list_suppliers(loaded, q="huayang")[0]] == ["CN-001"]
    assert [s.external_ref for s in list_suppliers(loaded, q="鑫达")[0]] == ["CN-003"]
    assert [s.external_ref for s in list_suppliers(loaded, q="Công ty")[0]] == ["VN-002"]  # alias only


def test_list_paginates_and_sorts(loaded: Session) -> None:
    items, total = list_suppliers(loaded, sort="spend", limit=2)
    assert total == 3 and [s.external_ref for s in items] == ["CN-001", "CN-003"]
    assert [s.external_ref for s in list_suppliers(loaded, sort="spend", limit=2, offset=2)[0]] == ["VN-002"]


def test_get_supplier_by_reference_or_id(loaded: Session) -> None:
    supplier = get_supplier(loaded, "CN-001")
    assert supplier is not None and get_supplier(loaded, supplier.id).external_ref == "CN-001"
    assert get_supplier(loaded, "NOPE") is None
