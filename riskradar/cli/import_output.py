"""How every ``riskradar import KIND FILE`` command reports its batch (human table or JSON)."""

from __future__ import annotations

import sys
from typing import Any

import click

from riskradar.cli.common import echo_json, echo_table

# Rows shown in the human summary; --json always carries every error.
SHOWN_ERRORS = 50


def print_summary(summary: dict[str, Any]) -> None:
    """Human summary of an import batch: counts, then a table of rejected rows."""
    click.echo(f"{summary['file']}: {summary['status']} (batch {summary['batch_id']}, sha256 {summary['sha256'][:12]})")
    click.echo(f"  rows {summary['rows_total']}: created {summary['created']}, updated {summary['updated']}, "
               f"unchanged {summary['unchanged']}, rejected {summary['rejected']}")
    if summary.get("stored_path"):
        click.echo(f"  original kept at {summary['stored_path']}")
    errors = summary.get("errors") or []
    if errors:
        click.echo("")
        echo_table(["row", "column", "reason"], [(e.get("row"), e.get("column"), e.get("reason"))
                                                  for e in errors[:SHOWN_ERRORS]])
        if len(errors) > SHOWN_ERRORS:
            click.echo(f"... and {len(errors) - SHOWN_ERRORS} more rejected rows (use --json for all)")


def emit_result(summary: dict[str, Any], as_json: bool) -> None:
    """Print an import batch summary; exit code 1 when the file as a whole failed.

    Rejected rows alone do not fail the command: valid rows were kept and the rows are listed.
    """
    if as_json:
        echo_json(summary)
        if summary["status"] == "failed":
            sys.exit(1)
        return
    if summary["status"] == "failed":
        raise click.ClickException(summary["error"] or "import failed")
    print_summary(summary)
