"""Scheduled jobs: which service function runs when, recorded once per slot.

Every job run goes through :func:`run_job`, which first claims ``(job, slot)`` in
``job_runs`` (a unique constraint). Interval jobs use ``slot = floor(epoch / interval)`` and are
aligned to multiples of the interval, so two schedulers on one PostgreSQL database compute
the same slot and only the one whose INSERT wins runs it. Every run is recorded with its start,
end, status, counts and error.

Job functions are imported when the scheduler is built; a part that does not exist (yet) is
skipped with a logged warning instead of stopping the others.
"""

from __future__ import annotations

import contextvars
import dataclasses
import importlib
import json
import logging
import math
import os
import socket
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from riskradar.db import Database
from riskradar.domain.base import utcnow
from riskradar.domain.jobs import JobRun
from riskradar.domain.scoring import ScoringRun
from riskradar.leases import HOST, claim_is_dead
from riskradar.settings import Settings

log = logging.getLogger(__name__)

OWNER = f"{socket.gethostname()}:{os.getpid()}"
# The slot of the job run in progress (set by run_job), for job bodies that record it.
CURRENT_SLOT: contextvars.ContextVar[str] = contextvars.ContextVar("riskradar_job_slot", default="-")


def current_owner() -> str:
    """``host:pid`` of this process (computed per call: a forked worker has its own pid)."""
    return f"{HOST}:{os.getpid()}"


def _orm_columns(value: Any) -> dict[str, Any] | None:
    """Column values of a mapped (ORM) instance, or None when ``value`` is not one."""
    state = sa_inspect(value, raiseerr=False)
    mapper = getattr(state, "mapper", None)
    if mapper is None:
        return None
    return {attr.key: getattr(value, attr.key) for attr in mapper.column_attrs}


def scoring_run_counts(run: Any) -> dict[str, Any]:
    """What a job records for a :class:`~riskradar.domain.scoring.ScoringRun`."""
    return {"run_id": run.id, "full": run.full, "suppliers_scored": run.suppliers_scored,
            "tier_changes": run.tier_changes}


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    state = sa_inspect(value, raiseerr=False)
    if getattr(state, "mapper", None) is not None:  # a nested ORM object: name it, don't dump it
        return {"type": type(value).__name__, "id": getattr(value, "id", None)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if type(value).__str__ is object.__str__:  # str() would only be a repr with an address
        return {"type": type(value).__name__}
    return str(value)


def _plain(value: Any) -> dict[str, Any]:
    """A job's return value as JSON-safe counts (plain data; never an object's repr).

    dicts are kept; objects with ``summary()`` give that; a ``ScoringRun`` gives its id and
    counts; other ORM objects give their columns; lists give ``{"items": [...]}``; scalars
    give ``{"result": value}``.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        summary = getattr(value, "summary", None)
        if callable(summary):
            value = summary()
        elif isinstance(value, ScoringRun):
            value = scoring_run_counts(value)
        elif (columns := _orm_columns(value)) is not None:
            value = {"type": type(value).__name__, **columns}
        elif isinstance(value, (list, tuple, set, frozenset)):
            value = {"items": list(value)}
        else:  # a scalar, or an object serialised by _json_default (dataclass, str(), type name)
            value = {"result": value}
    return json.loads(json.dumps(value, default=_json_default))


def run_job(db: Database, name: str, func: Callable[[], Any], *, slot: str | int | None = None) -> JobRun | None:
    """Claim ``(name, slot)``, run ``func()`` and record the outcome.

    Returns the finished :class:`JobRun`, or ``None`` when another scheduler already claimed
    this slot. ``slot=None`` means a manual run (a fresh unique slot). Exceptions from ``func``
    are recorded (status ``error``) and not raised, so one failing job never stops the others.
    """
    slot_text = f"manual-{uuid.uuid4().hex[:12]}" if slot is None else str(slot)
    with db.session() as session:
        run = JobRun(job=name, slot=slot_text, owner=current_owner(), status="running", started_at=utcnow())
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            log.debug("job %s slot %s already claimed", name, slot_text)
            return None
        run_id = run.id
    status, counts, error = "ok", {}, None
    token = CURRENT_SLOT.set(slot_text)
    try:
        counts = _plain(func())
    except Exception as exc:  # noqa: BLE001 - recorded, the scheduler keeps running
        status, error = "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
        log.exception("job %s failed", name)
    finally:
        CURRENT_SLOT.reset(token)
    with db.session() as session:
        run = session.get(JobRun, run_id)
        assert run is not None
        run.status, run.counts, run.error, run.finished_at = status, counts, error, utcnow()
        session.commit()
        return run


def list_job_runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[JobRun]:
    """The most recent job runs, newest first, optionally for one job."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job:
        query = query.where(JobRun.job == job)
    return list(session.scalars(query))


ABANDONED = "abandoned"


def _parse_owner(owner: str) -> tuple[str | None, int | None]:
    """``"host:pid"`` -> ``(host, pid)``; ``(None, None)`` when it is not in that form."""
    host, sep, pid = (owner or "").rpartition(":")
    if not sep or not pid.isdigit():
        return None, None
    return host, int(pid)


def mark_abandoned_runs(db: Database, settings: Settings, *, now: datetime | None = None) -> list[int]:
    """Mark ``running`` job runs that will never finish as ``abandoned``; returns their ids.

    A run is abandoned when its owner is a process on this host that no longer exists (a
    scheduler killed mid-job), or when it started more than ``settings.job_stale_after_seconds``
    ago (owners on other hosts can only be judged by this lease). The update is conditional on
    the row still being ``running``, so a run that finishes meanwhile keeps its real outcome.
    """
    now = now or utcnow()
    lease = settings.job_stale_after_seconds
    cutoff = now - timedelta(seconds=lease)
    marked: list[int] = []
    with db.session() as session:
        running = list(session.scalars(select(JobRun).where(JobRun.status == "running")))
        for run in running:
            if claim_is_dead(*_parse_owner(run.owner)):
                reason = f"abandoned: the process that ran it ({run.owner}) is gone (killed mid-job?)"
            elif run.started_at < cutoff:
                reason = f"abandoned: still running after the {lease}s lease (job_stale_after_seconds); owner {run.owner}"
            else:
                continue
            result = session.execute(update(JobRun).where(JobRun.id == run.id, JobRun.status == "running")
                                     .values(status=ABANDONED, finished_at=now, error=reason))
            if result.rowcount:
                marked.append(run.id)
                log.warning("job %s slot %s (run %s) %s", run.job, run.slot, run.id, reason)
        session.commit()
    return marked


def _mark_abandoned_quietly(db: Database, settings: Settings) -> None:
    # Housekeeping must never stop the scheduler (e.g. a database not migrated yet).
    try:
        mark_abandoned_runs(db, settings)
    except Exception:  # noqa: BLE001
        log.exception("could not check for abandoned job runs")


def interval_slot(interval_seconds: float, now: float | None = None) -> int:
    """The slot of an interval job: ``floor(epoch / interval)``."""
    return math.floor((time.time() if now is None else now) / interval_seconds)


# --- job bodies (thin shells over the services) -------------------------------------------

def _poll_feeds(db: Database, settings: Settings) -> Any:
    from riskradar.ingest import poll_due_feeds

    return poll_due_feeds(db, settings)


def _inbox(db: Database, settings: Settings) -> Any:
    from scrapers.inbox import process_inbox

    result = process_inbox(db, settings)
    return {k: v for k, v in result.items() if k != "files"} | {"files": [
        {k: f.get(k) for k in ("file", "kind", "outcome", "batch_id")} for f in result.get("files", [])]}


def _expire_agreements(db: Database, settings: Settings) -> Any:
    from riskradar.services.agreements import expire_agreements

    with db.scope() as session:
        result = expire_agreements(session, date.today())
    return {"expired": result["expired"], "expiring_soon": len(result["expiring_soon"]),
            "expiring": [r["supplier_ref"] for r in result["expiring_soon"]][:50]}


def _rescore(db: Database, settings: Settings) -> Any:
    from riskradar.scoring.service import score_suppliers

    with db.scope() as session:
        # Read the counts inside the session; the ORM object itself is never stored.
        return scoring_run_counts(score_suppliers(session, settings))


def _dispatch_alerts(db: Database, settings: Settings) -> Any:
    from riskradar.alerts.service import run_alert_cycle

    return run_alert_cycle(db, settings)


def _retrain(db: Database, settings: Settings) -> Any:
    from models.lifecycle import retrain_if_better

    return retrain_if_better(db, settings)


def _demo_drip(db: Database, settings: Settings) -> Any:
    from riskradar.demo.inbox_files import drip_demo_files

    return drip_demo_files(settings)


def heartbeat(db: Database, settings: Settings) -> dict[str, Any]:
    """Liveness job: append one line (slot, time, owner) to ``<data_dir>/heartbeat.log``."""
    line = f"{CURRENT_SLOT.get()} {datetime.now(timezone.utc).isoformat()} {OWNER}\n"
    with open(settings.data_dir / "heartbeat.log", "a", encoding="utf-8") as fh:
        fh.write(line)
    return {"owner": OWNER}


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job: its body, the module it needs, and when it runs."""

    name: str
    body: Callable[[Database, Settings], Any]
    requires: str  # "module:function" that must import for the job to be scheduled
    interval: Callable[[Settings], float] | None = None  # seconds; None for cron jobs
    cron: Callable[[Settings], dict[str, Any]] | None = None
    enabled: Callable[[Settings], bool] = lambda s: True


JOB_SPECS: tuple[JobSpec, ...] = (
    JobSpec("poll_feeds", _poll_feeds, "riskradar.ingest:poll_due_feeds", interval=lambda s: s.poll_feeds_interval_seconds),
    JobSpec("inbox", _inbox, "scrapers.inbox:process_inbox", interval=lambda s: s.inbox_interval_seconds),
    JobSpec("expire_agreements", _expire_agreements, "riskradar.services.agreements:expire_agreements",
            cron=lambda s: {"hour": s.expire_agreements_hour, "minute": 0}),
    JobSpec("rescore", _rescore, "riskradar.scoring.service:score_suppliers", interval=lambda s: s.rescore_interval_seconds),
    JobSpec("dispatch_alerts", _dispatch_alerts, "riskradar.alerts.service:run_alert_cycle",
            interval=lambda s: s.dispatch_alerts_interval_seconds),
    JobSpec("retrain", _retrain, "models.lifecycle:retrain_if_better",
            cron=lambda s: {"day_of_week": s.retrain_day_of_week, "hour": 3, "minute": 0}),
    JobSpec("demo_drip", _demo_drip, "riskradar.demo.inbox_files:drip_demo_files",
            interval=lambda s: s.demo_drip_interval_seconds, enabled=lambda s: s.demo_mode),
    JobSpec("heartbeat", heartbeat, "riskradar.jobs:heartbeat", interval=lambda s: s.heartbeat_interval_seconds,
            enabled=lambda s: s.heartbeat_interval_seconds > 0),
)


def _importable(target: str) -> bool:
    module, _, attr = target.partition(":")
    try:
        return hasattr(importlib.import_module(module), attr)
    except ImportError:
        return False


def available_jobs(settings: Settings) -> list[JobSpec]:
    """The enabled jobs whose code exists; missing parts are logged and skipped."""
    out = []
    for spec in JOB_SPECS:
        if not spec.enabled(settings):
            continue
        if (spec.interval is not None and spec.interval(settings) <= 0):
            continue
        if not _importable(spec.requires):
            log.warning("job %s skipped: %s is not available", spec.name, spec.requires)
            continue
        out.append(spec)
    return out


def run_named_job(db: Database, settings: Settings, name: str, *, slot: str | int | None = None) -> JobRun | None:
    """Run one job by name now (manual slot unless given)."""
    spec = next((s for s in JOB_SPECS if s.name == name), None)
    if spec is None:
        raise KeyError(f"unknown job {name!r} (known: {', '.join(s.name for s in JOB_SPECS)})")
    return run_job(db, name, lambda: spec.body(db, settings), slot=slot)


def _interval_runner(db: Database, settings: Settings, spec: JobSpec, seconds: float) -> Callable[[], None]:
    def tick() -> None:
        run_job(db, spec.name, lambda: spec.body(db, settings), slot=interval_slot(seconds))
    return tick


def _cron_runner(db: Database, settings: Settings, spec: JobSpec) -> Callable[[], None]:
    def tick() -> None:
        # One run per job per UTC minute of the cron schedule, whichever scheduler gets it.
        slot = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M")
        run_job(db, spec.name, lambda: spec.body(db, settings), slot=slot)
    return tick


REAP_JOB_ID = "mark_abandoned_runs"


def reap_interval_seconds(settings: Settings) -> float:
    """How often the scheduler looks for abandoned runs: a quarter of the lease, 1 to 10 minutes."""
    return float(min(600, max(60, settings.job_stale_after_seconds // 4)))


def build_scheduler(db: Database, settings: Settings):  # type: ignore[no-untyped-def]
    """An APScheduler ``BackgroundScheduler`` (not started) with every available job.

    Building it marks abandoned job runs (see :func:`mark_abandoned_runs`) and adds a
    housekeeping job (id :data:`REAP_JOB_ID`) that does so periodically.

    Interval jobs are aligned to multiples of their interval (epoch-based), so separate
    scheduler processes agree on slots.
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                  "misfire_grace_time": 30})
    # A scheduler is about to start: runs left `running` by a killed one are closed now, and
    # then periodically (housekeeping, not recorded as a job run).
    _mark_abandoned_quietly(db, settings)
    scheduler.add_job(lambda: _mark_abandoned_quietly(db, settings),
                      IntervalTrigger(seconds=reap_interval_seconds(settings), timezone="UTC"),
                      id=REAP_JOB_ID, name=REAP_JOB_ID)
    now = time.time()
    for spec in available_jobs(settings):
        if spec.interval is not None:
            seconds = float(spec.interval(settings))
            start = datetime.fromtimestamp((math.floor(now / seconds) + 1) * seconds, tz=timezone.utc)
            trigger = IntervalTrigger(seconds=seconds, start_date=start, timezone="UTC")
            scheduler.add_job(_interval_runner(db, settings, spec, seconds), trigger, id=spec.name, name=spec.name)
        elif spec.cron is not None:
            scheduler.add_job(_cron_runner(db, settings, spec), CronTrigger(timezone="UTC", **spec.cron(settings)),
                              id=spec.name, name=spec.name)
    return scheduler


def job_run_summary(run: JobRun) -> dict[str, Any]:
    """Plain data for CLI and API."""
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    return {"id": run.id, "job": run.job, "slot": run.slot, "owner": run.owner, "status": run.status,
            "started_at": run.started_at, "finished_at": run.finished_at, "duration_seconds": duration,
            "counts": run.counts, "error": run.error}
