"""``riskradar import agreements FILE [--json]`` (CSV or XLSX; see docs/import-templates.md)."""

from __future__ import annotations

from pathlib import Path

import click

from riskradar.cli.common import AppContext, json_option, pass_app
from riskradar.cli.import_audits import run_import


@click.command("agreements")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_app
def import_agreements_command(app: AppContext, file: Path, as_json: bool) -> None:
    """Import CSR agreement status from FILE (status in Chinese or English, red-line clauses, training).

    Agreements are matched by (supplier_ref, version); re-importing changes nothing. Rejected
    rows are listed with row number, column and reason.
    """
    from scrapers.agreements import import_agreements

    run_import(app, import_agreements, file, as_json)


def register(group: click.Group) -> None:
    """Add ``agreements`` to the ``import`` group."""
    group.add_command(import_agreements_command)
