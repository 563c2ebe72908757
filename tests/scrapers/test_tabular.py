"""scrapers.tabular: CSV encodings and delimiters, XLSX, header detection, files that are not tables."""

from __future__ import annotations

import codecs
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from scrapers.tabular import NotATableError, TableTooLargeError, iter_sheets, read_table

ROWS = [["供应商编码", "供应商名称", "国家"], ["S1", "深圳华阳电子有限公司", "中国"], ["S2", "Foo, Inc.", "USA"]]
CAP = 1_000_000


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def only_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    table = read_table(path, max_bytes=CAP)
    _, rows = table.first_sheet()
    return [(r.number, dict(r)) for r in rows]


EXPECTED = [(2, {"供应商编码": "S1", "供应商名称": "深圳华阳电子有限公司", "国家": "中国"}),
            (3, {"供应商编码": "S2", "供应商名称": "Foo, Inc.", "国家": "USA"})]


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                ("gb18030", "gb18030"), ("utf-16", "utf-16")])
def test_csv_encodings_are_detected_and_decoded(tmp_path: Path, encoding: str, detected: str) -> None:
    path = write_csv(tmp_path / "s.csv", ROWS, encoding=encoding)
    table = read_table(path, max_bytes=CAP)
    assert table.encoding == detected
    assert only_rows(path) == EXPECTED


def test_gbk_file_as_chinese_excel_saves_it(tmp_path: Path) -> None:
    """Excel on a Chinese Windows writes "CSV" in the ANSI code page (GBK, a subset of GB18030)."""
    path = tmp_path / "excel.csv"
    path.write_bytes("供应商编码,供应商名称,国家\r\nS1,东莞鑫达塑胶有限公司,中国大陆\r\n".encode("gbk"))
    assert only_rows(path) == [(2, {"供应商编码": "S1", "供应商名称": "东莞鑫达塑胶有限公司", "国家": "中国大陆"})]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = write_csv(tmp_path / "s.csv", ROWS, delimiter=delimiter)
    assert read_table(path, max_bytes=CAP).delimiter == delimiter
    assert only_rows(path) == EXPECTED


def test_row_numbers_count_blank_lines_and_title_rows(tmp_path: Path) -> None:
    """A title line above the header and blank lines keep spreadsheet row numbers."""
    path = tmp_path / "s.csv"
    path.write_text("供应商清单 2026\n\n供应商编码,供应商名称,国家\nS1,甲公司,中国\n\n\nS2,乙公司,越南\n", encoding="utf-8")
    assert only_rows(path) == [(4, {"供应商编码": "S1", "供应商名称": "甲公司", "国家": "中国"}),
                               (7, {"供应商编码": "S2", "供应商名称": "乙公司", "国家": "越南"})]


def test_short_rows_are_padded_and_extra_cells_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("a,b,c\n1\n1,2,3,4\n", encoding="utf-8")
    assert only_rows(path) == [(2, {"a": "1", "b": "", "c": ""}), (3, {"a": "1", "b": "2", "c": "3", "column_4": "4"})]


def test_xlsx_is_read_with_typed_cells_as_text(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "供应商"
    ws.append(["供应商编码", "年采购额", "日期", "比例"])
    ws.append([100001, 1234567.0, datetime(2026, 3, 1), 0.25])
    ws.append([None, None, None, None])
    ws.append(["S3", 12, date(2025, 1, 2), None])
    other = wb.create_sheet("空白")  # an empty sheet is skipped
    del other
    path = tmp_path / "s.xlsx"
    wb.save(path)
    table = read_table(path, max_bytes=CAP)
    assert table.format == "xlsx"
    assert list(table.sheets) == ["供应商"]
    rows = [(r.number, dict(r)) for r in table.sheets["供应商"]]
    assert rows == [(2, {"供应商编码": "100001", "年采购额": "1234567", "日期": "2026-03-01", "比例": "0.25"}),
                    (4, {"供应商编码": "S3", "年采购额": "12", "日期": "2025-01-02", "比例": ""})]


def test_xlsx_rows_and_columns_keep_sheet_positions(tmp_path: Path) -> None:
    """A table placed at B4 under a title in C2: row numbers are the sheet's, and the blank
    column A stays a (blank) first column so cells line up with their headers."""
    wb = Workbook()
    ws = wb.active
    ws["C2"] = "审核发现 2026"
    for col, value in zip("BCD", ["ref", "date", "ok"]):
        ws[f"{col}4"] = value
    ws["B5"], ws["C5"], ws["D5"] = "A-1", datetime(2026, 3, 1, 12, 30), True
    ws["D7"] = "late"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    [sheet] = list(iter_sheets(path, max_bytes=CAP))
    assert (sheet.header_row, sheet.headers) == (4, ["column_1", "ref", "date", "ok"])
    assert list(sheet.rows) == [(5, ["", "A-1", "2026-03-01 12:30:00", "TRUE"]), (7, ["", "", "", "late"])]


def test_xlsx_every_sheet_is_streamed(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.active.append(["1", "2"])
    second = wb.create_sheet("findings")
    second.append(["x", "y"])
    second.append(["3", "4"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    seen = [(s.name, s.headers, list(s.rows)) for s in iter_sheets(path, max_bytes=CAP)]
    assert seen == [("Sheet", ["a", "b"], [(2, ["1", "2"])]), ("findings", ["x", "y"], [(2, ["3", "4"])])]


# --- files that are not tables: one clear NotATableError each ----------------------------------

def test_empty_file_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(NotATableError, match="empty"):
        read_table(path, max_bytes=CAP)


def test_whitespace_only_file_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"\r\n  \n")
    with pytest.raises(NotATableError, match="empty"):
        read_table(path, max_bytes=CAP)


def test_binary_file_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(NotATableError, match="binary"):
        read_table(path, max_bytes=CAP)


def test_pdf_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n")
    with pytest.raises(NotATableError, match="PDF"):
        read_table(path, max_bytes=CAP)


def test_legacy_xls_gets_a_save_as_hint(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(NotATableError, match=r"\.xlsx or CSV"):
        read_table(path, max_bytes=CAP)


def test_zip_that_is_not_a_workbook_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(NotATableError, match="not an Excel"):
        read_table(path, max_bytes=CAP)


def test_damaged_xlsx_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.save(path)
    path.write_bytes(path.read_bytes()[:200])  # truncated download
    with pytest.raises(NotATableError):
        read_table(path, max_bytes=CAP)


def test_file_without_header_row_is_not_a_table(tmp_path: Path) -> None:
    """Numbers in the first row mean the header is missing."""
    path = tmp_path / "nums.csv"
    path.write_text("1,2,3\n4,5,6\n", encoding="utf-8")
    with pytest.raises(NotATableError, match="no header row"):
        read_table(path, max_bytes=CAP)


def test_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", ROWS * 100)
    with pytest.raises(TableTooLargeError, match="larger than the limit"):
        read_table(path, max_bytes=100)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(NotATableError, match="no such file"):
        read_table(tmp_path / "nope.csv", max_bytes=CAP)
