"""``riskradar serve``: the web app under gunicorn (a production WSGI server), plus the scheduler."""

from __future__ import annotations

import os
import time
from typing import Any, Callable
from urllib.parse import urlsplit

import click

from riskradar.cli.common import AppContext, pass_app
from riskradar.settings import Settings


def _quietly_run(func: Callable[[Any], None]) -> Callable[[Any], None]:
    """``func`` with its errors reported, not raised: warming is an optimisation."""

    def run(web: Any) -> None:
        started = time.perf_counter()
        try:
            func(web)
        except Exception as exc:  # noqa: BLE001 - the page computes on demand instead
            click.echo(f"cache warm-up ({func.__name__}) failed: {exc}", err=True)
        else:
            click.echo(f"cache warm-up ({func.__name__}) done in {time.perf_counter() - started:.1f} s "
                       f"(pid {os.getpid()})", err=True)

    run.__name__ = func.__name__
    return run


def _with_base_url(settings: Settings) -> Settings:
    """Point a local ``base_url`` (links in alerts, demo feed URLs) at the port actually served."""
    base = urlsplit(settings.base_url)
    if base.hostname in ("127.0.0.1", "localhost") and settings.port and base.port != settings.port:
        return settings.replace(base_url=f"{base.scheme}://{base.hostname}:{settings.port}")
    return settings


def _allow_own_host(allow: str, host: str) -> str:
    """Add the app's own host to the SSRF allow-list (demo feeds are served by the app itself)."""
    hosts = [h.strip() for h in allow.split(",") if h.strip()]
    extra = ["127.0.0.1", "::1", "localhost"] if host in ("0.0.0.0", "::", "") else [host]
    for h in extra:
        if h not in hosts:
            hosts.append(h)
    return ",".join(hosts)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: settings.host).")
@click.option("--port", default=None, type=int, help="Port (default: settings.port; 0 picks a free one).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Web worker processes (default: settings.web_workers).")
@click.option("--demo", is_flag=True, help="Demo mode: serve the demo feeds and let the fetcher reach this app.")
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, workers: int | None, demo: bool) -> None:
    """Run the web app under gunicorn (worker processes × threads), plus the scheduler process
    when settings.scheduler_in_web is true. Stops on Ctrl+C or SIGTERM."""
    from riskradar.web.caching import warm_name_index
    from riskradar.web.dashboard import warm_dashboard
    from riskradar.web.server import ProductionServer

    settings = app.settings
    host = host or settings.host
    port = settings.port if port is None else port
    changes: dict[str, object] = {"host": host, "port": port}
    if workers is not None:
        changes["web_workers"] = workers
    if demo:
        changes["demo_mode"] = True
        changes["fetch_allow_hosts"] = _allow_own_host(settings.fetch_allow_hosts, host)
    settings = _with_base_url(settings.replace(**changes))
    db = app.db
    db.migrate()
    if demo:
        # The demo feeds point at this app; re-point them if it listens on another port.
        from riskradar.demo.news import register_demo_feeds

        with db.scope() as session:
            register_demo_feeds(session, settings)
    app.close()  # the master forks the workers: it must not hold database connections

    def ready(url: str) -> None:
        # Called once the socket is bound, so with ``--port 0`` it shows the port picked.
        click.echo(f"RiskRadar is running at {url}{'  (demo mode)' if demo else ''}  — press Ctrl+C to stop")

    # The workers compute the unfiltered dashboard and the name index in the background so the
    # first visitor and the first search do not wait.
    ProductionServer(settings, on_ready=ready,
                     warmers=(_quietly_run(warm_dashboard), _quietly_run(warm_name_index))).run()


def register(group: click.Group) -> None:
    """Add ``serve`` to the ``riskradar`` group."""
    group.add_command(serve)
