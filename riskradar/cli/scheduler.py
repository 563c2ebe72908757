"""``riskradar scheduler``: run the scheduled jobs in the foreground (scale-out process)."""

from __future__ import annotations

import logging
import signal
import threading

import click

from riskradar.cli.common import AppContext, pass_app


@click.command("scheduler")
@pass_app
def scheduler_command(app: AppContext) -> None:
    """Run the APScheduler jobs until SIGTERM or SIGINT (Ctrl-C).

    Several schedulers may share one PostgreSQL database: each job slot runs once.
    """
    from riskradar.jobs import available_jobs, build_scheduler

    logging.basicConfig(level=app.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # Every run is recorded in job_runs (admin page, `riskradar jobs`); APScheduler's two INFO
        # lines per run, every 15 s, would drown the console (also `riskradar serve`'s).
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduler = build_scheduler(app.db, app.settings)
    names = ", ".join(spec.name for spec in available_jobs(app.settings)) or "none"
    click.echo(f"scheduler started: jobs {names}", err=True)
    scheduler.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        scheduler.shutdown(wait=True)
        click.echo("scheduler stopped", err=True)


def register(group: click.Group) -> None:
    """Add ``scheduler`` to the ``riskradar`` group."""
    group.add_command(scheduler_command)
