"""Cell parsing shared by the audit and agreement importers: headers, dates, numbers, flags.

Every parser raises ``ValueError`` with a message fit for a per-row error report.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Mapping


@lru_cache(maxsize=4096)
def _header_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower()
    text = text.rstrip("*").strip()
    return re.sub(r"[\s\-/]+", "_", text)


def header_key(name: Any) -> str:
    """Folded header: NFKC, lower case, spaces/dashes to underscores, BOM and '*' removed."""
    return _header_key(str(name or ""))


def build_alias_map(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """{folded alias: canonical column} for a {canonical: aliases} table."""
    out: dict[str, str] = {}
    for canonical, aliases in columns.items():
        for alias in (canonical, *aliases):
            out[header_key(alias)] = canonical
    return out


def canonical_row(row: Mapping[str, Any], aliases: Mapping[str, str]) -> dict[str, Any]:
    """Rename a row's keys to canonical names; unknown columns are kept under their own name."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            continue
        name = aliases.get(header_key(key), header_key(key))
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                value = None
        if name not in out or out[name] is None:
            out[name] = value
    return out


def is_blank(value: Any) -> bool:
    """True for None and whitespace-only strings."""
    return value is None or (isinstance(value, str) and not value.strip())


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:[T ].*)?$")


def parse_date(value: Any) -> date | None:
    """A date from a cell: date/datetime, ISO ``2024-03-01``, ``2024/3/1``, ``2024.03.01``, ``2024年3月1日``.

    Blank gives ``None``; anything else raises ``ValueError``.
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(str(value))
    if not match:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"not a valid date: {value!r} ({exc})") from None


def parse_number(value: Any) -> float | None:
    """A number from a cell ("185", "185.5", "1,000", 185); blank gives ``None``."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip().rstrip("分").strip()
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


_TRUE = {"1", "true", "yes", "y", "t", "是", "已完成", "完成", "已培训", "done", "completed", "met", "满足", "符合"}
_FALSE = {"0", "false", "no", "n", "f", "否", "未完成", "未培训", "not done", "not met", "不满足", "不符合"}


def parse_bool(value: Any, *, default: bool | None = None) -> bool | None:
    """A yes/no cell in English or Chinese; blank gives ``default``."""
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    key = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"not yes/no: {value!r}")


def text(value: Any, limit: int | None = None) -> str | None:
    """A trimmed string (numbers from spreadsheets without a trailing '.0'); blank gives ``None``."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    out = str(value).strip()
    return out[:limit] if limit else out


def jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a raw row that JSON can store (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif not isinstance(value, (str, int, float, bool, type(None), list, dict)):
            value = str(value)
        out[str(key)] = value
    return out
