"""``riskradar jobs list|run``: recorded job runs, and running one job by hand."""

from __future__ import annotations

import click

from riskradar.cli.common import AppContext, echo_json, echo_table, json_option, pass_app


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled job runs (start, end, status, counts, error)."""


@jobs_group.command("list")
@click.option("--job", default=None, help="Only runs of this job.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@json_option
@pass_app
def list_command(app: AppContext, job: str | None, limit: int, as_json: bool) -> None:
    """List recent job runs, newest first."""
    from riskradar.jobs import job_run_summary, list_job_runs

    with app.db.scope() as session:
        runs = [job_run_summary(r) for r in list_job_runs(session, job=job, limit=limit)]
    if as_json:
        echo_json({"runs": runs})
        return
    echo_table(
        ["id", "job", "status", "started", "seconds", "owner", "counts / error"],
        [[r["id"], r["job"], r["status"], r["started_at"].strftime("%Y-%m-%d %H:%M:%S"),
          f"{r['duration_seconds']:.2f}" if r["duration_seconds"] is not None else "",
          r["owner"], (r["error"] or "").splitlines()[0] if r["error"] else _short(r["counts"])] for r in runs],
    )


def _short(counts: dict) -> str:
    items = [f"{k}={v}" for k, v in counts.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    return ", ".join(items)[:80]


@jobs_group.command("run")
@click.argument("name")
@json_option
@pass_app
def run_command(app: AppContext, name: str, as_json: bool) -> None:
    """Run job NAME once now (recorded like a scheduled run)."""
    from riskradar.jobs import job_run_summary, run_named_job

    try:
        run = run_named_job(app.db, app.settings, name)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    assert run is not None  # a manual slot is always free
    summary = job_run_summary(run)
    if as_json:
        echo_json(summary)
    else:
        click.echo(f"{name}: {summary['status']} {_short(summary['counts'])}")
        if summary["error"]:
            click.echo(summary["error"], err=True)
    if summary["status"] != "ok":
        raise SystemExit(1)


def register(group: click.Group) -> None:
    """Add ``jobs`` to the ``riskradar`` group."""
    group.add_command(jobs_group)
