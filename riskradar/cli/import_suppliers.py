"""``riskradar import suppliers FILE``: upsert suppliers from a CSV/XLSX file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from riskradar.cli.common import AppContext, json_option, pass_app
from riskradar.cli.import_output import emit_result

class _Progress:
    """A click progress bar started on the first callback (when the total is known), tty only."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 5000:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="writing suppliers", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(max(0, done - self.done))
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("suppliers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_app
def import_suppliers_cmd(app: AppContext, file: Path, as_json: bool) -> None:
    """Import suppliers from FILE (CSV in UTF-8/GB18030, or XLSX; Chinese or English headers).

    Suppliers are matched by their ID (供应商编码): new ones are created, changed ones updated,
    identical ones left alone. Rejected rows are listed with row number, column and reason.
    Exit code 1 when the file cannot be read as a supplier table.
    """
    from riskradar.services.suppliers import import_suppliers

    progress = _Progress(enabled=not as_json and sys.stderr.isatty())
    if progress.enabled:
        click.echo(f"reading and checking {file.name} ...", err=True)
    try:
        with app.db.scope() as session:
            batch = import_suppliers(session, app.settings, file, source="cli", progress=progress)
            summary = batch.summary()
    except (OperationalError, ProgrammingError) as exc:
        raise click.ClickException(f"database not ready ({exc.orig}); run `riskradar init-db` first") from exc
    finally:
        progress.close()
    emit_result(summary, as_json)


def register(group: click.Group) -> None:
    """Add ``suppliers`` to the ``import`` group."""
    group.add_command(import_suppliers_cmd)
