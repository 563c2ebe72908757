"""`riskradar ingest --once` on a fresh, migrated database with no feeds: succeeds and says so."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from riskradar.cli import main
from riskradar.settings import Settings


def _ingest(settings: Settings, *args: str) -> Result:
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": "", "RISKRADAR_SECRET_KEY": "t"}
    return CliRunner().invoke(main, ["ingest", "--once", *args], env=env, prog_name="riskradar")


def test_ingest_once_json_with_no_feeds_reports_zero_feeds_and_no_errors(settings: Settings) -> None:
    result = _ingest(settings, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    summary = json.loads(result.stdout)
    assert summary["errors"] == []
    assert summary["totals"]["feeds_polled"] == 0 and summary["totals"]["files_imported"] == 0
    assert summary["feeds"]["results"] == []
    assert {"inbox", "scoring", "alerts"} <= set(summary)
    assert summary["scoring"]["suppliers_scored"] == 0
