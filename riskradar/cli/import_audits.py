"""``riskradar import audits FILE [--json]`` (CSV, XLSX or JSON; see docs/import-templates.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from riskradar.cli.common import AppContext, json_option, pass_app
from riskradar.cli.import_output import emit_result


def run_import(app: AppContext, importer: Callable[..., Any], file: Path, as_json: bool) -> None:
    """Run an importer on FILE and print its batch like ``riskradar import suppliers`` does.

    Exit code 1 when the file as a whole failed; rejected rows are listed (exit code 0).
    """
    try:
        with app.db.scope() as session:
            summary = importer(session, app.settings, file, source="cli").summary()
    except (OperationalError, ProgrammingError) as exc:
        raise click.ClickException(f"database not ready ({exc.orig}); run `riskradar init-db` first") from exc
    emit_result(summary, as_json)


@click.command("audits")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_app
def import_audits_command(app: AppContext, file: Path, as_json: bool) -> None:
    """Import audits and findings from FILE (CSV, XLSX or JSON; RBA, SMETA, BSCI, SA8000, IPC-1401,
    customer/internal, SME 1000-point).

    Audits are matched by audit_ref and findings by (audit_ref, finding_ref); re-importing changes
    nothing. Rejected rows are listed with row number, column and reason.
    """
    from scrapers.audits import import_audits

    run_import(app, import_audits, file, as_json)


def register(group: click.Group) -> None:
    """Add ``audits`` to the ``import`` group."""
    group.add_command(import_audits_command)
