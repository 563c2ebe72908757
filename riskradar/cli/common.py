"""Shared CLI plumbing: lazily built settings/database, JSON or table output, errors.

Every error a user can cause (bad option, missing file, unknown id, database not set up)
ends the command with one line ``error: ...`` on stderr and a non-zero exit code, never a
traceback: see :class:`RiskRadarGroup`.
"""

from __future__ import annotations

import errno
import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import click
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError, ProgrammingError

from riskradar.db import Database
from riskradar.errors import UserInputError
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
            try:
                self._db = Database(self.settings)
            except ArgumentError as exc:  # e.g. an unparseable RISKRADAR_DATABASE_URL
                raise click.ClickException(f"configuration error: database_url: {exc}") from exc
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


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


# Database failures a user can cause or fix (not migrated, unreachable, locked); others are bugs.
_DATABASE_ERRORS = (OperationalError, ProgrammingError, InterfaceError)


def _database_message(exc: DBAPIError) -> str:
    """A short, actionable description of a database failure."""
    orig = getattr(exc, "orig", None) or exc
    text = _one_line(str(orig)).split(" [SQL:")[0]
    lowered = text.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered) \
            or "no such column" in lowered or ("column" in lowered and "does not exist" in lowered):
        return f"database not ready ({text}); run `riskradar init-db` first"
    if exc.connection_invalidated or "connect" in lowered:
        return f"database unavailable: {text}"
    return f"database error: {text}"


def error_message(exc: BaseException) -> str | None:
    """The one-line ``error: ...`` text for an exception a user can cause; None for a bug."""
    if isinstance(exc, click.UsageError):
        where = exc.ctx.command_path if exc.ctx is not None else "riskradar"
        return f"{_one_line(exc.format_message())} (see `{where} --help`)"
    if isinstance(exc, click.ClickException):
        return _one_line(exc.format_message())
    if isinstance(exc, UserInputError):
        return _one_line(str(exc))
    if isinstance(exc, _DATABASE_ERRORS):
        return _database_message(exc)
    if isinstance(exc, OSError) and exc.errno != errno.EPIPE:
        detail = exc.strerror or str(exc)
        return f"{detail}: {exc.filename}" if exc.filename else _one_line(detail)
    return None


# click >= 8.2 raises this for a bare group; its "message" is the whole help text.
_NO_ARGS_IS_HELP: type[Exception] = getattr(click.exceptions, "NoArgsIsHelpError", type("_Never", (Exception,), {}))


class RiskRadarGroup(click.Group):
    """The top-level group: user errors become one ``error: ...`` line and a non-zero exit.

    click's own messages (usage errors, ``ClickException``) are reduced to one line; OS errors
    (a file that cannot be read or written) and database errors (not migrated, unreachable)
    too. Anything else is a bug and keeps its traceback.
    """

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # `riskradar` (or a group) alone: show its help as click does
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        except (click.ClickException, UserInputError, *_DATABASE_ERRORS, OSError) as exc:
            message = error_message(exc)
            if message is None:
                raise
            click.echo(f"error: {message}", err=True)
            sys.exit(exc.exit_code if isinstance(exc, click.ClickException) else 1)
        # Non-standalone click returns the exit code of ctx.exit() (e.g. --help) or the
        # command's return value (None for every riskradar command).
        sys.exit(result if isinstance(result, int) else 0)
