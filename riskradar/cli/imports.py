"""``riskradar import KIND FILE``: suppliers, audits, agreements."""

from __future__ import annotations

import click

from riskradar.cli import import_agreements, import_audits, import_suppliers


@click.group("import")
def import_group() -> None:
    """Import a CSV/XLSX (or JSON for audits) file; every rejected row is reported."""


def register(group: click.Group) -> None:
    for module in (import_suppliers, import_audits, import_agreements):
        module.register(import_group)
    group.add_command(import_group)
