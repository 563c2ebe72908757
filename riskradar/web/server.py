"""The production server: gunicorn (pre-forked processes, threaded workers) plus the scheduler.

Why several processes: one Python process runs one request's Python code at a time (the GIL), so
under load requests queued behind each other even with idle cores. gunicorn's master forks
``settings.web_workers`` worker processes that share the listening socket; each runs the Flask app
with ``settings.threads`` threads. The master runs no application code. Each process has its own
in-memory caches; with several workers the shareable ones also go through one on-disk store
(``data_dir/cache/web``), so a page computed by one worker is not computed again by the others.

Why the scheduler is a separate child process (``riskradar scheduler``) rather than threads in the
master: gunicorn forks a new worker whenever one dies, and forking a process that runs other
threads can leave the child holding locks nobody will release. The master starts the scheduler
when the server is ready, restarts it if it dies, and stops it on shutdown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from riskradar.settings import Settings, settings_env

#: A scheduler that keeps dying is restarted at most this often (seconds).
SCHEDULER_RESTART_SECONDS = 10.0
#: A request running longer than this has its worker restarted (gunicorn's timeout); exports of
#: 100,000 suppliers take seconds, so this is generous.
WORKER_TIMEOUT_SECONDS = 120


class SchedulerProcess:
    """``riskradar scheduler`` as a child process with the server's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> None:
        """Start the child (its output goes to this process's stderr)."""
        env = {**os.environ, **settings_env(self.settings)}
        self.proc = subprocess.Popen([sys.executable, "-m", "riskradar", "scheduler"], env=env,
                                     stdout=sys.stderr, stderr=sys.stderr)
        self.started_at = time.monotonic()

    def check(self) -> None:
        """Restart the child if it has exited (gunicorn may already have reaped it)."""
        if self.proc is None or self.proc.poll() is None:
            return
        if time.monotonic() - self.started_at < SCHEDULER_RESTART_SECONDS:
            return  # crashing at start: wait before trying again rather than spin
        print(f"scheduler process {self.proc.pid} exited ({self.proc.returncode}); restarting it",
              file=sys.stderr, flush=True)
        self.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the child to stop (SIGTERM: jobs finish their current step), then make sure."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _Arbiter(Arbiter):
    """gunicorn's master, also minding the scheduler process (its loop runs about once a second)."""

    def manage_workers(self) -> None:
        super().manage_workers()
        if self.app.scheduler is not None:
            self.app.scheduler.check()


class ProductionServer(BaseApplication):
    """gunicorn serving ``riskradar.web.create_app`` with the given settings.

    ``on_ready(url)`` is called in the master once the socket is bound (the real port when
    ``settings.port`` is 0); ``warmers`` run in a background thread in each new worker.
    """

    def __init__(self, settings: Settings, *, on_ready: Callable[[str], None],
                 warmers: tuple[Callable[[Any], None], ...] = ()) -> None:
        self.settings = settings
        self.on_ready = on_ready
        self.warmers = warmers
        self.scheduler = SchedulerProcess(settings) if settings.scheduler_in_web else None
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        host = f"[{s.host}]" if ":" in s.host else s.host
        options = {
            "bind": [f"{host}:{s.port}"],
            "workers": s.web_workers,
            "worker_class": "gthread",
            "threads": s.threads,
            "timeout": WORKER_TIMEOUT_SECONDS,
            "graceful_timeout": 15,
            "control_socket_disable": True,  # gunicorn 27's admin socket: not needed, writes to $HOME
            "proc_name": "riskradar",
            "loglevel": s.log_level.lower(),
            "errorlog": "-",
            "when_ready": self._when_ready,
            "on_exit": self._on_exit,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    @property
    def shared_cache_dir(self) -> Path | None:
        """Where the workers share cached results (None with a single worker)."""
        return self.settings.data_dir / "cache" / "web" if self.settings.web_workers > 1 else None

    def load(self) -> Any:
        """The WSGI app, built in each worker after the fork (its own database engine and caches)."""
        from riskradar.db import Database
        from riskradar.web import create_app
        from riskradar.web.caching import share_caches

        share_caches(self.shared_cache_dir)
        app = create_app(self.settings, Database(self.settings))
        for warm in self.warmers:
            threading.Thread(target=warm, args=(app,), daemon=True, name=getattr(warm, "__name__", "warm")).start()
        return app

    def _when_ready(self, arbiter: Arbiter) -> None:
        host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
        if self.scheduler is not None:
            self.scheduler.start()
        self.on_ready(f"http://{shown}:{port}/")

    def _on_exit(self, _arbiter: Arbiter) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()

    def run(self) -> None:
        """Run the master until SIGINT / SIGTERM (blocks)."""
        if self.shared_cache_dir is not None:
            shutil.rmtree(self.shared_cache_dir, ignore_errors=True)  # nothing from an earlier run
        _Arbiter(self).run()
