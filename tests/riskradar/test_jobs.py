"""Job runs: recording, slot claims, and two scheduler processes on one PostgreSQL database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from riskradar.db import Database
from riskradar.domain.jobs import JobRun
from riskradar.jobs import (REAP_JOB_ID, available_jobs, build_scheduler, interval_slot, list_job_runs,
                            mark_abandoned_runs, run_job)

REPO = Path(__file__).resolve().parents[2]


def test_run_job_records_start_end_status_and_counts(db: Database) -> None:
    run = run_job(db, "demo", lambda: {"imported": 3}, slot=42)
    assert run is not None and run.status == "ok" and run.counts == {"imported": 3}
    assert run.finished_at is not None and run.finished_at >= run.started_at
    with db.scope() as session:
        assert [r.slot for r in list_job_runs(session, job="demo")] == ["42"]


def test_a_failing_job_is_recorded_with_its_error(db: Database) -> None:
    def boom() -> None:
        raise RuntimeError("feed store unavailable")

    run = run_job(db, "broken", boom, slot=1)
    assert run is not None and run.status == "error"
    assert "RuntimeError: feed store unavailable" in (run.error or "")


def test_a_claimed_slot_is_not_run_again(db: Database) -> None:
    calls: list[int] = []
    assert run_job(db, "once", lambda: calls.append(1), slot=7) is not None
    assert run_job(db, "once", lambda: calls.append(1), slot=7) is None
    assert calls == [1]
    assert run_job(db, "once", lambda: calls.append(1), slot=8) is not None


def test_manual_runs_never_collide(db: Database) -> None:
    assert run_job(db, "manual", dict) is not None
    assert run_job(db, "manual", dict) is not None


def test_interval_slot_is_epoch_floor() -> None:
    assert interval_slot(60, now=119.9) == 1
    assert interval_slot(60, now=120.0) == 2


def test_scheduler_has_the_configured_jobs(db: Database) -> None:
    settings = db.settings.replace(heartbeat_interval_seconds=5)
    names = {spec.name for spec in available_jobs(settings)}
    assert {"inbox", "expire_agreements", "heartbeat"} <= names
    assert "demo_drip" not in names  # demo mode only
    scheduler = build_scheduler(db, settings)
    assert {job.id for job in scheduler.get_jobs()} == names | {REAP_JOB_ID}


def test_jobs_list_cli_prints_one_json_document(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from riskradar.cli import main

    run_job(db, "expire_agreements", lambda: {"expired": 0}, slot="2026-01-01T02:00")
    env = {"RISKRADAR_DATA_DIR": str(db.settings.data_dir), "RISKRADAR_DATABASE_URL": db.settings.database_url,
           "RISKRADAR_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["jobs", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    runs = json.loads(result.output)["runs"]
    assert runs[0]["job"] == "expire_agreements" and runs[0]["counts"] == {"expired": 0}


def test_jobs_run_cli_runs_the_expiry_job(db: Database) -> None:
    from riskradar.cli import main

    env = {"RISKRADAR_DATA_DIR": str(db.settings.data_dir), "RISKRADAR_DATABASE_URL": db.settings.database_url,
           "RISKRADAR_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["jobs", "run", "expire_agreements"], env=env)
    assert result.exit_code == 0, result.output
    assert "expire_agreements: ok" in result.output


@pytest.mark.postgres
def test_two_scheduler_processes_run_each_slot_once(pg_url: str, tmp_path: Path) -> None:
    """Two `riskradar scheduler` processes on one PostgreSQL schema, a 1-second heartbeat job."""
    from tests.conftest import make_settings

    data_dir = tmp_path / "shared-data"
    data_dir.mkdir()
    database = Database(make_settings(data_dir, database_url=pg_url))
    database.migrate()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKRADAR_")}
    env.update({
        "RISKRADAR_DATABASE_URL": pg_url, "RISKRADAR_DATA_DIR": str(data_dir), "RISKRADAR_SECRET_KEY": "t",
        "RISKRADAR_HEARTBEAT_INTERVAL_SECONDS": "1", "RISKRADAR_LOG_LEVEL": "WARNING",
        # Keep the other jobs out of the way for the few seconds this test runs.
        "RISKRADAR_POLL_FEEDS_INTERVAL_SECONDS": "3600", "RISKRADAR_INBOX_INTERVAL_SECONDS": "3600",
        "RISKRADAR_RESCORE_INTERVAL_SECONDS": "3600", "RISKRADAR_DISPATCH_ALERTS_INTERVAL_SECONDS": "3600",
    })
    procs = [subprocess.Popen([sys.executable, "-m", "riskradar", "scheduler"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        with database.scope() as session:
            pass
        while time.monotonic() < deadline:
            with database.scope() as session:
                runs = session.scalars(select(JobRun).where(JobRun.job == "heartbeat")).all()
            if len(runs) >= 6:
                break
            time.sleep(0.5)
    finally:
        outputs = []
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            out, err = proc.communicate(timeout=30)
            outputs.append((proc.returncode, err))
    for code, err in outputs:
        assert code == 0, err
        assert "scheduler started" in err and "heartbeat" in err and "scheduler stopped" in err
    with database.scope() as session:
        runs = session.scalars(select(JobRun).where(JobRun.job == "heartbeat")).all()
    database.dispose()
    assert len(runs) >= 6
    assert all(r.status == "ok" for r in runs)
    db_slots = Counter(r.slot for r in runs)
    assert max(db_slots.values()) == 1
    # The side effect happened exactly once per claimed slot, whichever process claimed it.
    lines = (data_dir / "heartbeat.log").read_text().splitlines()
    log_slots = Counter(line.split()[0] for line in lines)
    assert max(log_slots.values()) == 1
    assert set(log_slots) == set(db_slots)


# --- plain job results -------------------------------------------------------------------

def test_rescore_job_records_the_scoring_run_as_plain_counts(db: Database) -> None:
    from riskradar.domain.scoring import ScoringRun
    from riskradar.domain.suppliers import Supplier
    from riskradar.jobs import run_named_job

    with db.scope() as session:
        session.add(Supplier(external_ref="S-1", name_en="Acme Textiles", country="CN", needs_rescore=True))
    run = run_named_job(db, db.settings, "rescore")
    assert run is not None and run.status == "ok", run.error if run else None
    with db.scope() as session:
        scoring_run = session.scalars(select(ScoringRun)).one()
        expected = {"run_id": scoring_run.id, "full": False, "suppliers_scored": 1,
                    "tier_changes": scoring_run.tier_changes}
    assert run.counts == expected


def test_a_job_returning_an_orm_object_records_its_columns_not_its_repr(db: Database) -> None:
    from riskradar.domain.suppliers import Supplier

    supplier = Supplier(id=5, external_ref="S-5", name_en="Acme", country="CN")
    run = run_job(db, "orm", lambda: supplier, slot=1)
    assert run is not None and run.status == "ok"
    assert run.counts["type"] == "Supplier"
    assert (run.counts["id"], run.counts["external_ref"], run.counts["country"]) == (5, "S-5", "CN")
    assert " at 0x" not in json.dumps(run.counts)


def test_a_job_returning_an_opaque_object_records_its_type_not_its_repr(db: Database) -> None:
    class Opaque:
        pass

    run = run_job(db, "opaque", Opaque, slot=1)
    assert run is not None and run.counts == {"result": {"type": "Opaque"}}


# --- abandoned runs ----------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _running_row(db: Database, owner: str, *, age_seconds: float = 0) -> int:
    from datetime import timedelta

    from riskradar.domain.base import utcnow

    with db.scope() as session:
        row = JobRun(job="inbox", slot=f"s-{owner}-{age_seconds}", owner=owner, status="running",
                     started_at=utcnow() - timedelta(seconds=age_seconds))
        session.add(row)
        session.flush()
        return row.id


def _run(db: Database, run_id: int) -> JobRun:
    with db.scope() as session:
        run = session.get(JobRun, run_id)
        assert run is not None
        return run


def test_a_run_whose_process_on_this_host_died_is_marked_abandoned(db: Database) -> None:
    from riskradar.leases import HOST

    run_id = _running_row(db, f"{HOST}:{_dead_pid()}")
    assert mark_abandoned_runs(db, db.settings) == [run_id]
    run = _run(db, run_id)
    assert run.status == "abandoned" and run.finished_at is not None
    assert "is gone" in (run.error or "")


def test_a_recent_run_of_a_live_or_remote_process_keeps_running(db: Database) -> None:
    from riskradar.leases import HOST

    mine = _running_row(db, f"{HOST}:{os.getpid()}")
    remote = _running_row(db, f"some-other-host.example:{_dead_pid()}")
    assert mark_abandoned_runs(db, db.settings) == []
    assert _run(db, mine).status == "running" and _run(db, remote).status == "running"


def test_a_run_older_than_the_lease_is_marked_abandoned_whatever_its_host(db: Database) -> None:
    settings = db.settings.replace(job_stale_after_seconds=600)
    old = _running_row(db, "some-other-host.example:123", age_seconds=601)
    assert mark_abandoned_runs(db, settings) == [old]
    run = _run(db, old)
    assert run.status == "abandoned" and "600s lease" in (run.error or "")


def test_building_the_scheduler_closes_runs_left_by_a_killed_scheduler(db: Database) -> None:
    from riskradar.leases import HOST

    run_id = _running_row(db, f"{HOST}:{_dead_pid()}")
    build_scheduler(db, db.settings)
    assert _run(db, run_id).status == "abandoned"


def test_a_job_whose_process_is_killed_mid_run_is_marked_abandoned(db: Database) -> None:
    """A real process starts a job run and is SIGKILLed inside the job body."""
    script = ("import os, signal; from riskradar.db import Database; from riskradar.settings import load_settings; "
              "from riskradar.jobs import run_job; "
              "run_job(Database(load_settings()), 'inbox', lambda: os.kill(os.getpid(), signal.SIGKILL), slot=1)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKRADAR_")}
    env.update({"RISKRADAR_DATA_DIR": str(db.settings.data_dir), "RISKRADAR_DATABASE_URL": db.settings.database_url,
                "RISKRADAR_SECRET_KEY": "t"})
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env)
    assert proc.returncode == -signal.SIGKILL
    with db.scope() as session:
        [left] = session.scalars(select(JobRun).where(JobRun.job == "inbox")).all()
    assert left.status == "running"
    assert mark_abandoned_runs(db, db.settings) == [left.id]
    assert _run(db, left.id).status == "abandoned"
