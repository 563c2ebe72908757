"""Shared CLI plumbing: lazily built settings/database, JSON or table output, errors."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import click

from riskradar.db import Database
from riskradar.settings import Settings, load_settings


@dataclass
class AppContext:
    """Built once per CLI invocation; the database is opened on first use."""

    _settings: Settings | None = None
    _db: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings()
            except ValueError as exc:
                raise click.ClickException(f"configuration error: {exc}") from exc
        return self._settings

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database(self.settings)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


pass_app = click.make_pass_decorator(AppContext, ensure=True)

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> str:
    """JSON text with dates as ISO strings and Chinese kept readable."""
    return json.dumps(data, default=_default, ensure_ascii=False, indent=2)


def echo_json(data: Any) -> None:
    """Print ``data`` as one JSON document."""
    click.echo(dumps(data))


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def echo_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print an aligned text table (CJK-width aware)."""
    body = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(cells)).rstrip()

    click.echo(fmt(list(headers)))
    click.echo("  ".join("-" * w for w in widths))
    for row in body:
        click.echo(fmt(row))


def fail(message: str, code: int = 1) -> None:
    """Print an error to stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
