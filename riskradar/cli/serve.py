"""``riskradar serve``: the web app under waitress (a production WSGI server), plus the scheduler."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import click

from riskradar.cli.common import AppContext, pass_app


def _quietly(func: Any, *args: Any) -> None:
    try:
        func(*args)
    except Exception as exc:  # noqa: BLE001 - warming is an optimisation; the page computes on demand
        click.echo(f"cache warm-up ({getattr(func, '__name__', func)}) failed: {exc}", err=True)


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
@click.option("--port", default=None, type=int, help="Port (default: settings.port).")
@click.option("--demo", is_flag=True, help="Demo mode: serve the demo feeds and let the fetcher reach this app.")
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, demo: bool) -> None:
    """Run the web app under waitress; also the scheduler when settings.scheduler_in_web is true."""
    from waitress import create_server

    from riskradar.db import Database
    from riskradar.web import create_app

    settings = app.settings
    host = host or settings.host
    port = settings.port if port is None else port
    changes: dict[str, object] = {"host": host, "port": port}
    if demo:
        changes["demo_mode"] = True
        changes["fetch_allow_hosts"] = _allow_own_host(settings.fetch_allow_hosts, host)
    base = urlsplit(settings.base_url)
    if base.hostname in ("127.0.0.1", "localhost") and base.port != port:
        changes["base_url"] = f"{base.scheme}://{base.hostname}:{port}"
    settings = settings.replace(**changes)
    db = Database(settings)
    db.migrate()
    if demo:
        # The demo feeds point at this app; re-point them if it listens on another port.
        from riskradar.demo.news import register_demo_feeds

        with db.scope() as session:
            register_demo_feeds(session, settings)
    web = create_app(settings, db)
    scheduler = None
    if settings.scheduler_in_web:
        try:
            from riskradar.jobs import build_scheduler
        except ImportError:
            click.echo("scheduler not available (riskradar.jobs missing); serving the web app only", err=True)
        else:
            scheduler = build_scheduler(db, settings)
            scheduler.start()
    # Compute the unfiltered dashboard and the name index in the background so the first
    # visitor and the first search do not wait.
    from riskradar.web.caching import warm_name_index
    from riskradar.web.dashboard import warm_dashboard

    for warm in (warm_dashboard, warm_name_index):
        threading.Thread(target=_quietly, args=(warm, web), daemon=True, name=warm.__name__).start()
    server = create_server(web, host=host, port=port, threads=settings.threads, ident="RiskRadar",
                           max_request_body_size=settings.max_upload_bytes + 1_000_000)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    click.echo(f"RiskRadar is running at http://{shown_host}:{server.effective_port}/"
               f"{'  (demo mode)' if demo else ''}  — press Ctrl+C to stop")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        server.close()
        db.dispose()


def register(group: click.Group) -> None:
    """Add ``serve`` to the ``riskradar`` group."""
    group.add_command(serve)
