"""The inbox: settled files imported and moved with a JSON report; partial, duplicate and bad files."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit_fixtures import EXAMPLES, add_suppliers
from riskradar.db import Database
from riskradar.domain.audits import AuditFinding
from riskradar.domain.imports import ImportBatch
from scrapers.inbox import ensure_inbox, process_inbox


@pytest.fixture
def inbox(db: Database) -> dict[str, Path]:
    with db.scope() as session:
        add_suppliers(session)
    return ensure_inbox(db.settings)


def drop(folder: Path, source: Path, name: str | None = None, *, age: float = 60) -> Path:
    """Copy ``source`` into the inbox folder with an mtime ``age`` seconds in the past."""
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    past = time.time() - age
    os.utime(target, (past, past))
    return target


def report_of(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".report.json").read_text(encoding="utf-8"))


def findings(db: Database) -> int:
    with db.scope() as session:
        return session.scalar(select(func.count()).select_from(AuditFinding)) or 0


def test_settled_audit_file_is_imported_and_moved_with_report(db: Database, inbox: dict[str, Path]) -> None:
    drop(inbox["audits"], EXAMPLES / "audits.csv")
    result = process_inbox(db, db.settings)
    assert (result["imported"], result["failed"]) == (1, 0)
    moved = inbox["audits"] / "processed" / "audits.csv"
    assert moved.exists() and not (inbox["audits"] / "audits.csv").exists()
    report = report_of(moved)
    assert report["outcome"] == "imported" and report["batch"]["created"] == 10 and report["batch_id"]
    assert report["batch"]["file"] == "audits.csv"  # the inbox name, not the claimed temporary name
    assert findings(db) == 10


def test_half_written_and_temporary_files_are_not_taken(db: Database, inbox: dict[str, Path]) -> None:
    fresh = drop(inbox["audits"], EXAMPLES / "audits.csv", age=0)
    part = drop(inbox["audits"], EXAMPLES / "audits.json", "audits.json.part")
    hidden = drop(inbox["audits"], EXAMPLES / "audits.json", ".~lock.audits.json")
    result = process_inbox(db, db.settings)
    assert (result["imported"], result["waiting"]) == (0, 1)
    assert fresh.exists() and part.exists() and hidden.exists()
    assert findings(db) == 0
    past = time.time() - 60
    os.utime(fresh, (past, past))  # the writer finished long enough ago
    assert process_inbox(db, db.settings)["imported"] == 1


def test_same_file_dropped_twice_is_not_imported_twice(db: Database, inbox: dict[str, Path]) -> None:
    drop(inbox["audits"], EXAMPLES / "audits.json")
    process_inbox(db, db.settings)
    drop(inbox["audits"], EXAMPLES / "audits.json", "copy-of-audits.json")
    result = process_inbox(db, db.settings)
    assert result["duplicates"] == 1 and result["imported"] == 0
    report = report_of(inbox["audits"] / "processed" / "copy-of-audits.json")
    with db.scope() as session:
        first_batch = session.scalar(select(ImportBatch.id).where(ImportBatch.kind == "audits"))
        assert session.scalar(select(func.count()).select_from(ImportBatch)) == 1
    assert report["outcome"] == "duplicate" and report["duplicate_of_batch"] == first_batch


def test_same_name_new_content_is_imported_and_kept_beside_the_first(db: Database, inbox: dict[str, Path],
                                                                     tmp_path: Path) -> None:
    drop(inbox["audits"], EXAMPLES / "audits.csv")
    process_inbox(db, db.settings)
    changed = tmp_path / "audits.csv"
    changed.write_text((EXAMPLES / "audits.csv").read_text(encoding="utf-8").replace(",open,2024-08-14,", ",closed,2024-08-14,2024-08-01"),
                       encoding="utf-8")
    drop(inbox["audits"], changed)
    result = process_inbox(db, db.settings)
    assert result["imported"] == 1
    second = inbox["audits"] / "processed" / "audits-1.csv"
    assert second.exists() and report_of(second)["batch"]["updated"] == 1


def test_not_a_table_goes_to_failed_with_a_report(db: Database, inbox: dict[str, Path], tmp_path: Path) -> None:
    pdf = tmp_path / "audit-report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n")
    drop(inbox["audits"], pdf)
    result = process_inbox(db, db.settings)
    assert result["failed"] == 1
    failed = inbox["audits"] / "failed" / "audit-report.pdf"
    report = report_of(failed)
    assert report["outcome"] == "failed" and "PDF" in report["batch"]["error"]


def test_a_file_where_every_row_is_rejected_goes_to_failed(db: Database, inbox: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "agreements.csv"
    bad.write_text("supplier_ref,status\nSUP-9999,signed\nSUP-000001,maybe\n", encoding="utf-8")
    drop(inbox["agreements"], bad)
    result = process_inbox(db, db.settings)
    assert result["failed"] == 1
    report = report_of(inbox["agreements"] / "failed" / "agreements.csv")
    assert [(e["row"], e["column"]) for e in report["batch"]["errors"]] == [(2, "supplier_ref"), (3, "status")]


def test_agreements_with_some_bad_rows_are_processed(db: Database, inbox: dict[str, Path], tmp_path: Path) -> None:
    mixed = tmp_path / "agreements.csv"
    mixed.write_text("supplier_ref,status,signed_date\nSUP-000001,已签署,2024-01-01\nSUP-9999,signed,2024-01-01\n",
                     encoding="utf-8")
    drop(inbox["agreements"], mixed)
    assert process_inbox(db, db.settings)["imported"] == 1
    report = report_of(inbox["agreements"] / "processed" / "agreements.csv")
    assert report["batch"]["created"] == 1 and report["batch"]["rejected"] == 1


def test_supplier_files_use_the_supplier_importer(db: Database, inbox: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("riskradar.services.suppliers")
    csv_path = tmp_path / "suppliers.csv"
    csv_path.write_text("external_ref,name_zh,name_en,country,industry\nSUP-7001,深圳测试电子有限公司,Shenzhen Test Electronics Co. Ltd.,CN,electronics\n",
                        encoding="utf-8")
    drop(inbox["suppliers"], csv_path)
    result = process_inbox(db, db.settings)
    assert result["imported"] == 1, result
    assert report_of(inbox["suppliers"] / "processed" / "suppliers.csv")["kind"] == "suppliers"


def test_inbox_job_records_its_run(db: Database, inbox: dict[str, Path]) -> None:
    from riskradar.jobs import run_named_job

    drop(inbox["audits"], EXAMPLES / "audits.xlsx")
    run = run_named_job(db, db.settings, "inbox")
    assert run is not None and run.status == "ok", run.error
    assert run.counts["imported"] == 1 and run.counts["files"][0]["file"] == "audits.xlsx"


def test_demo_files_arrive_through_the_inbox(db: Database, inbox: dict[str, Path]) -> None:
    from riskradar.demo.inbox_files import drip_demo_files, write_demo_inbox_files
    from riskradar.services.audits import open_red_line_findings

    with db.scope() as session:
        add_suppliers(session, [f"DEMO-{i:04d}" for i in range(200)])
        written = write_demo_inbox_files(db.settings, session, drip_files=3)
    assert written["audits"] > 0 and len(written["files"]) == 4
    settled = db.settings.replace(inbox_settle_seconds=0)
    result = process_inbox(db, settled)
    assert (result["imported"], result["failed"]) == (4, 0), result
    assert all(f["batch"]["rejected"] == 0 for f in result["files"]), [f["batch"]["errors"][:3] for f in result["files"]]
    with db.scope() as session:
        before = len(open_red_line_findings(session))
    assert drip_demo_files(db.settings)["remaining"] == 2
    assert process_inbox(db, settled)["imported"] == 1
    with db.scope() as session:
        assert len(open_red_line_findings(session)) == before + 1


def test_a_file_is_claimed_by_one_process_only(inbox: dict[str, Path]) -> None:
    from scrapers.inbox import candidates, claim

    path = drop(inbox["audits"], EXAMPLES / "audits.csv")
    claimed = claim(path)
    assert claimed is not None and claimed.suffix == ".csv"
    assert claim(path) is None
    assert candidates(inbox["audits"]) == []  # the claimed copy is hidden from other schedulers


def test_a_file_with_rejected_rows_dropped_again_imports_what_it_can_now(db: Database, tmp_path: Path) -> None:
    ensure_inbox(db.settings)
    folder = db.settings.inbox_dir / "agreements"
    drop(folder, EXAMPLES / "agreements.csv")  # no suppliers yet: every row rejected
    assert process_inbox(db, db.settings)["failed"] == 1
    with db.scope() as session:
        add_suppliers(session)
    drop(folder, EXAMPLES / "agreements.csv")
    result = process_inbox(db, db.settings)
    assert (result["imported"], result["duplicates"]) == (1, 0)
    report = report_of(folder / "processed" / "agreements.csv")
    assert report["batch"]["created"] == 5 and report["previous_batch"] == 1


# --- files left claimed by a killed import ----------------------------------------------

def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _host_tag() -> str:
    from riskradar.leases import HOST
    from scrapers.inbox import _host_tag as tag

    return tag(HOST)


def _leftover(inbox: dict[str, Path]) -> list[str]:
    return [p.name for p in inbox["audits"].iterdir() if p.name.startswith(".claimed-")]


def test_a_file_claimed_by_a_dead_process_is_put_back_and_imported(db: Database, inbox: dict[str, Path]) -> None:
    drop(inbox["audits"], EXAMPLES / "audits.csv", f".claimed-{_dead_pid()}@{_host_tag()}-audits.csv", age=5)
    result = process_inbox(db, db.settings)
    assert (result["recovered"], result["imported"]) == (1, 1)
    assert report_of(inbox["audits"] / "processed" / "audits.csv")["outcome"] == "imported"
    assert _leftover(inbox) == [] and findings(db) == 10


def test_an_old_style_claim_name_of_a_dead_process_is_put_back(db: Database, inbox: dict[str, Path]) -> None:
    drop(inbox["audits"], EXAMPLES / "audits.csv", f".claimed-{_dead_pid()}-audits.csv", age=5)
    result = process_inbox(db, db.settings)
    assert (result["recovered"], result["imported"]) == (1, 1)
    assert (inbox["audits"] / "processed" / "audits.csv").exists()


def test_a_file_claimed_by_a_live_process_is_left_alone(db: Database, inbox: dict[str, Path]) -> None:
    name = f".claimed-{os.getpid()}@{_host_tag()}-audits.csv"
    drop(inbox["audits"], EXAMPLES / "audits.csv", name, age=5)
    result = process_inbox(db, db.settings)
    assert (result["recovered"], result["imported"]) == (0, 0)
    assert _leftover(inbox) == [name] and findings(db) == 0


def test_a_claim_older_than_the_lease_is_put_back_whatever_its_host(db: Database, inbox: dict[str, Path]) -> None:
    settings = db.settings.replace(job_stale_after_seconds=60)
    drop(inbox["audits"], EXAMPLES / "audits.csv", ".claimed-4242@other_host.example-audits.csv", age=61)
    result = process_inbox(db, settings)
    assert (result["recovered"], result["imported"]) == (1, 1)
    assert _leftover(inbox) == []


def test_a_recovered_file_does_not_overwrite_a_new_file_of_the_same_name(inbox: dict[str, Path], db: Database) -> None:
    from scrapers.inbox import recover_claimed

    drop(inbox["audits"], EXAMPLES / "audits.csv", f".claimed-{_dead_pid()}@{_host_tag()}-audits.csv", age=5)
    drop(inbox["audits"], EXAMPLES / "audits.json", "audits.csv", age=5)  # a newer drop took the name
    [recovered] = recover_claimed(db.settings)
    assert recovered["file"] == "audits-recovered-1.csv"
    assert (inbox["audits"] / "audits-recovered-1.csv").read_bytes() == (EXAMPLES / "audits.csv").read_bytes()
    assert (inbox["audits"] / "audits.csv").read_bytes() == (EXAMPLES / "audits.json").read_bytes()


def test_a_file_claimed_by_a_process_killed_mid_import_is_imported_by_the_next_pass(
        db: Database, inbox: dict[str, Path]) -> None:
    import signal
    import subprocess
    import sys

    path = drop(inbox["audits"], EXAMPLES / "audits.csv")
    # A real process claims the file with the real claim() and is killed before importing it.
    script = ("import os, signal, sys; from pathlib import Path; from scrapers.inbox import claim; "
              "claim(Path(sys.argv[1])); os.kill(os.getpid(), signal.SIGKILL)")
    proc = subprocess.run([sys.executable, "-c", script, str(path)], cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == -signal.SIGKILL
    assert len(_leftover(inbox)) == 1 and not path.exists()
    result = process_inbox(db, db.settings)
    assert (result["recovered"], result["imported"]) == (1, 1)
    assert _leftover(inbox) == [] and findings(db) == 10
