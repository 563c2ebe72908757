"""Every CLI error a user can cause: non-zero exit, one line ``error: ...`` on stderr, no traceback.

Runs the real ``riskradar`` command group (click's CliRunner) against a migrated SQLite data
directory, or an empty (not migrated) one for the database cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from riskradar.cli import main
from riskradar.settings import Settings

# (arguments, exit code, text the error line must contain). "{missing}" is a path that does
# not exist; "{pdf}" a PDF file offered as a table.
CASES = [
    (["import", "suppliers", "{missing}"], 2, "does not exist"),
    (["import", "audits", "{missing}"], 2, "does not exist"),
    (["import", "agreements", "{missing}"], 2, "does not exist"),
    (["import", "suppliers", "{pdf}"], 1, "scan.pdf: a PDF document, not a table"),
    (["supplier", "show", "NO-SUCH-REF"], 1, "no supplier 'NO-SUCH-REF'"),
    (["supplier", "show", "NO-SUCH-REF", "--json"], 1, "no supplier 'NO-SUCH-REF'"),
    (["suppliers", "list", "--country", "XX"], 2, "unknown country 'XX'"),
    (["suppliers", "list", "--country", "Atlantis", "--json"], 2, "unknown country 'Atlantis'"),
    (["feeds", "remove", "999"], 1, "no such feed: 999"),
    (["feeds", "remove", "https://news.example/none.xml"], 1, "no such feed"),
    (["feeds", "add", "ftp://news.example/feed"], 1, "must start with http:// or https://"),
    (["alerts", "show", "999"], 1, "alert 999 not found"),
    (["alerts", "show", "abc"], 2, "'abc' is not a valid integer"),
    (["model", "evaluate", "--data", "{missing}"], 2, "does not exist"),
    (["jobs", "run", "no_such_job"], 1, "unknown job 'no_such_job'"),
    (["users", "token", "nobody", "--name", "erp"], 1, "no user 'nobody'"),
    (["no-such-command"], 2, "No such command 'no-such-command'"),
]


def _run(data_dir: Path, args: list[str], **env: str) -> Result:
    environment = {"RISKRADAR_DATA_DIR": str(data_dir), "RISKRADAR_DATABASE_URL": "",
                   "RISKRADAR_SECRET_KEY": "test"} | env
    return CliRunner().invoke(main, args, env=environment, prog_name="riskradar")


def _assert_one_error_line(result: Result, code: int, expected: str) -> None:
    assert result.exit_code == code, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)  # not an uncaught exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0]


@pytest.mark.parametrize(("args", "code", "expected"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_user_error_exits_nonzero_with_one_error_line(settings: Settings, tmp_path: Path, args: list[str],
                                                      code: int, expected: str) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4 binary stuff")
    argv = [a.format(missing=tmp_path / "missing.csv", pdf=pdf) for a in args]
    result = _run(settings.data_dir, argv)
    _assert_one_error_line(result, code, expected)
    assert result.stdout == ""  # nothing half-printed, even with --json


@pytest.mark.parametrize("args", [["suppliers", "list"], ["supplier", "show", "X"], ["feeds", "list"],
                                  ["alerts", "show", "1"], ["jobs", "list"], ["ingest", "--once", "--json"]],
                         ids=lambda a: " ".join(a))
def test_a_database_that_was_never_migrated_says_run_init_db(tmp_path: Path, args: list[str]) -> None:
    empty = tmp_path / "fresh"
    empty.mkdir()
    result = _run(empty, args)
    _assert_one_error_line(result, 1, "database not ready")
    assert "riskradar init-db" in result.stderr


def test_an_unparseable_database_url_is_a_configuration_error(tmp_path: Path) -> None:
    result = _run(tmp_path, ["suppliers", "list"], RISKRADAR_DATABASE_URL="not a url")
    _assert_one_error_line(result, 1, "configuration error: database_url")


def test_a_bare_group_still_prints_its_help(settings: Settings) -> None:
    result = _run(settings.data_dir, ["feeds"])
    assert result.exit_code == 2 and "Usage: riskradar feeds" in result.output
    assert "remove" in result.output


def test_an_unreachable_database_server_is_one_error_line(tmp_path: Path) -> None:
    # Port 1 on loopback: connection refused at once (no network involved).
    result = _run(tmp_path, ["suppliers", "list"], RISKRADAR_DATABASE_URL="postgresql+psycopg://u:p@127.0.0.1:1/x")
    _assert_one_error_line(result, 1, "database unavailable")
