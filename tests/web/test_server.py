"""``riskradar serve`` as a real process tree: gunicorn master, worker processes, scheduler child."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from riskradar.settings import Settings, load_settings, settings_env

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> dict[int, str]:
    """Child pid -> command line, read from /proc (Linux)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out[int(entry.name)] = cmdline
    return out


def _wait_for(predicate, what: str, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` is truthy; the timeout only bounds a hang, it is not measured."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _schedulers(pid: int) -> list[int]:
    return [p for p, cmd in _children(pid).items() if cmd.endswith("riskradar scheduler")]


def _workers(pid: int) -> list[int]:
    return [p for p, cmd in _children(pid).items() if " serve " in f"{cmd} "]


@pytest.fixture()
def server(settings: Settings) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``riskradar serve --workers 2`` with the scheduler on, on a free port; yields (process, url)."""
    env = {**os.environ, "RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": "test", "RISKRADAR_SCHEDULER_IN_WEB": "true"}
    proc = subprocess.Popen([sys.executable, "-m", "riskradar", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        assert "RiskRadar is running at http://127.0.0.1:" in line, line
        yield proc, line.split("running at ")[1].split()[0]
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def test_serve_runs_the_requested_worker_processes_and_one_scheduler(server) -> None:  # type: ignore[no-untyped-def]
    proc, url = server
    assert requests.get(url + "login", timeout=30).status_code == 200
    assert len(_wait_for(lambda: _workers(proc.pid), "workers")) == 2
    assert len(_wait_for(lambda: _schedulers(proc.pid), "scheduler")) == 1


def test_a_dead_scheduler_process_is_restarted(server) -> None:  # type: ignore[no-untyped-def]
    proc, _url = server
    first = _wait_for(lambda: _schedulers(proc.pid), "scheduler")[0]
    os.kill(first, signal.SIGKILL)
    # restarted once it has been up SCHEDULER_RESTART_SECONDS (10 s); the wait below only bounds a hang
    replacement = _wait_for(lambda: [p for p in _schedulers(proc.pid) if p != first], "a new scheduler")
    assert replacement and first not in _schedulers(proc.pid)


def test_sigterm_stops_the_whole_process_tree(server) -> None:  # type: ignore[no-untyped-def]
    proc, url = server
    assert requests.get(url + "login", timeout=30).status_code == 200
    children = list(_wait_for(lambda: len(_children(proc.pid)) == 3 and _children(proc.pid), "three children"))
    proc.terminate()
    assert proc.wait(timeout=60) == 0
    assert all(not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
               for pid in children)


def test_settings_survive_the_trip_through_the_environment(settings: Settings) -> None:
    changed = settings.replace(demo_mode=True, port=0, fetch_allow_hosts="127.0.0.1,::1", web_workers=3,
                               inbox_settle_seconds=0.5)
    assert load_settings(env=settings_env(changed)).replace(extra=changed.extra) == changed
