"""CLI shells: `riskradar import suppliers`, `riskradar suppliers list`, `riskradar demo --if-empty`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from riskradar.cli import main
from riskradar.settings import Settings

HEADER = ["供应商编码", "供应商名称", "国家", "层级", "年采购额"]
ROWS = [["CN-1", "深圳华阳电子有限公司", "中国", "1", "1000"], ["VN-2", "Minh Phat Garment", "越南", "1", "-5"],
        ["VN-3", "Saigon Knit Co., Ltd.", "Viet Nam", "1", "200"]]


def invoke(settings: Settings, *args: str) -> Result:
    """Run the real CLI against the test's migrated SQLite data directory."""
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": "",
           "RISKRADAR_SECRET_KEY": "test"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def supplier_file(tmp_path: Path) -> Path:
    path = tmp_path / "suppliers.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    return path


def test_import_json_output_shape(settings: Settings, supplier_file: Path) -> None:
    result = invoke(settings, "import", "suppliers", str(supplier_file), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"batch_id", "kind", "file", "sha256", "status", "rows_total", "created", "updated",
                         "unchanged", "rejected", "errors", "error", "stored_path"}
    assert (data["status"], data["created"], data["rejected"]) == ("completed_with_errors", 2, 1)
    assert data["errors"] == [{"row": 3, "column": "年采购额", "reason": "negative annual spend '-5'", "value": "-5"}]
    assert Path(data["stored_path"]).is_file()


def test_import_human_output_lists_rejected_rows(settings: Settings, supplier_file: Path) -> None:
    result = invoke(settings, "import", "suppliers", str(supplier_file))
    assert result.exit_code == 0
    assert "created 2, updated 0, unchanged 0, rejected 1" in result.output
    assert "negative annual spend" in result.output and "年采购额" in result.output


def test_reimport_reports_everything_unchanged(settings: Settings, supplier_file: Path) -> None:
    invoke(settings, "import", "suppliers", str(supplier_file))
    data = json.loads(invoke(settings, "import", "suppliers", str(supplier_file), "--json").output)
    assert (data["created"], data["updated"], data["unchanged"]) == (0, 0, 2)


def test_not_a_table_exits_nonzero_with_one_clear_message(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4 binary stuff")
    result = CliRunner().invoke(
        main, ["import", "suppliers", str(path)],
        env={"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": ""})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["error: scan.pdf: a PDF document, not a table (expected CSV or XLSX)"]


def test_not_a_table_with_json_prints_the_failed_batch_and_exits_nonzero(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    result = invoke(settings, "import", "suppliers", str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["status"], data["error"]) == ("failed", "empty.csv: file is empty")


def test_suppliers_list_json_and_filters(settings: Settings, supplier_file: Path) -> None:
    invoke(settings, "import", "suppliers", str(supplier_file))
    data = json.loads(invoke(settings, "suppliers", "list", "--country", "越南", "--json").output)
    assert (data["total"], data["limit"], data["offset"]) == (1, 50, 0)
    assert [s["external_ref"] for s in data["suppliers"]] == ["VN-3"]
    assert set(data["suppliers"][0]) >= {"external_ref", "name_zh", "name_en", "country", "tier_level", "risk_tier"}
    table = invoke(settings, "suppliers", "list", "--q", "华阳")
    assert "CN-1" in table.output and "1 of 1 suppliers" in table.output


def test_suppliers_list_rejects_an_unknown_country(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["suppliers", "list", "--country", "Atlantis"],
                                env={"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": ""})
    assert result.exit_code == 2
    assert "unknown country 'Atlantis'" in result.output


def test_demo_if_empty_does_nothing_when_suppliers_exist(settings: Settings, supplier_file: Path) -> None:
    invoke(settings, "import", "suppliers", str(supplier_file))
    result = invoke(settings, "demo", "--if-empty", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"loaded": False, "reason": "suppliers exist", "suppliers": 2}
