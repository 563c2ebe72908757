"""``riskradar ingest --once``: one full ingestion pass (feeds, inbox, re-scoring, alerts)."""

from __future__ import annotations

import click

from riskradar.cli.common import AppContext, echo_json, echo_table, json_option, pass_app


@click.command("ingest")
@click.option("--once", is_flag=True, required=True, help="Run one pass and exit (the scheduler runs it continuously).")
@json_option
@pass_app
def ingest(app: AppContext, once: bool, as_json: bool) -> None:
    """Poll all due feeds, process the inbox, re-score and run the alert cycle once."""
    from riskradar.ingest import run_once

    summary = run_once(app.db, app.settings)
    if as_json:
        echo_json(summary)
    else:
        totals = summary["totals"]
        echo_table(["what", "count"], [[k.replace("_", " "), v] for k, v in totals.items()])
        for error in summary["errors"]:
            click.echo(f"error: {error}", err=True)
    if summary["totals"]["feeds_polled"] and summary["totals"]["feeds_failed"] == summary["totals"]["feeds_polled"]:
        raise SystemExit(1)  # every feed failed: let scripts notice


def register(group: click.Group) -> None:
    """Add this module's commands to the ``riskradar`` group."""
    group.add_command(ingest)
