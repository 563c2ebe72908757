"""Supplier name search: which suppliers' reference, names, short name or aliases contain ``q``.

Two ways to the same answer:

- :func:`name_condition` is a SQL ``LIKE '%q%'`` condition; a b-tree cannot seek it, so every query
  scans the searched columns of every supplier (~70 ms per query at 100,000 suppliers on SQLite).
- :class:`NameSearchIndex` keeps the searched text of every supplier in one string in memory and
  finds matches with ``str.find`` (a few ms at 100,000 suppliers). The web layer builds it once
  and rebuilds it in the background when it is older than the cache lifetime, so a supplier
  renamed or added by another process may be missing from search results for about that long
  (the same staleness as the response cache); an import through the web app drops it at once. When a query matches too many suppliers to pass their ids to SQL, ``find``
  returns None and the caller uses :func:`name_condition`.

Matching is case-insensitive (``str.lower``) in both, so results agree (tested).
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from typing import Any

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import Session

from riskradar.domain import Supplier

#: More matches than this and ``find`` gives up (the id list would be too long for an SQL IN).
MAX_IDS = 20_000
RECENT_QUERIES = 256
_FIELD_SEP = "\x1f"  # between a supplier's fields: control characters are stripped from queries
_RECORD_SEP = "\n"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


def clean_query(q: str) -> str:
    """The query as matched: stripped, lower case, control characters removed."""
    return _CONTROL.sub("", q).strip().lower()


class _LikeCI(FunctionElement[bool]):
    """``column LIKE pattern`` ignoring case: plain ``LIKE`` on SQLite (which already ignores
    ASCII case, and its ``lower()`` folds nothing else), ``ILIKE`` elsewhere. SQLAlchemy's
    ``ilike`` writes ``lower(column) LIKE lower(pattern)`` on SQLite, which doubled the scan."""

    name = "like_ci"
    inherit_cache = True


@compiles(_LikeCI)
def _like_ci_default(element: _LikeCI, compiler: Any, **kw: Any) -> str:
    column, pattern = list(element.clauses)
    return compiler.process(column.ilike(pattern, escape="~"), **kw)


@compiles(_LikeCI, "sqlite")
def _like_ci_sqlite(element: _LikeCI, compiler: Any, **kw: Any) -> str:
    column, pattern = list(element.clauses)
    return compiler.process(column.like(pattern, escape="~"), **kw)


def name_condition(q: str) -> Any:
    """SQL condition: ``q`` occurs in the reference, a name, the short name or an alias
    (case-insensitive)."""
    needle = clean_query(q)
    like = f"%{_escape_like(needle)}%"
    # Aliases are stored as JSON text with non-ASCII escaped (\uXXXX): search that form too.
    encoded = f"%{_escape_like(json.dumps(needle)[1:-1])}%"
    return or_(_LikeCI(Supplier.external_ref, like), _LikeCI(Supplier.name_zh, like),
               _LikeCI(Supplier.name_en, like), _LikeCI(Supplier.short_name, like),
               _LikeCI(cast(Supplier.aliases, Text()), encoded))


def _escape_like(text: str) -> str:
    return text.replace("~", "~~").replace("%", "~%").replace("_", "~_")


def search_text(external_ref: str | None, name_zh: str | None, name_en: str | None, short_name: str | None,
                aliases: Any) -> str:
    """One supplier's searched text (lower case, fields separated so a match never spans two)."""
    parts = [external_ref, name_zh, name_en, short_name, *(aliases or [])]
    return _FIELD_SEP.join(clean_query(str(p)) for p in parts if p)


class NameSearchIndex:
    """Every supplier's searched text in one string, with the offsets where each supplier starts."""

    def __init__(self, ids: list[int], texts: list[str]) -> None:
        self._ids = array("q", ids)
        self._starts: list[int] = []
        offset = 0
        for text in texts:
            self._starts.append(offset)
            offset += len(text) + 1
        self._blob = _RECORD_SEP.join(texts)
        # Recent answers: paging through one search asks the same question once per page.
        self._recent: dict[tuple[str, int], list[int] | None] = {}

    @classmethod
    def build(cls, session: Session) -> NameSearchIndex:
        """Read the searched columns of every supplier (one query, streamed)."""
        ids: list[int] = []
        texts: list[str] = []
        stmt = select(Supplier.id, Supplier.external_ref, Supplier.name_zh, Supplier.name_en, Supplier.short_name,
                      Supplier.aliases).execution_options(yield_per=5000)
        for id_, ref, zh, en, short, aliases in session.execute(stmt):
            ids.append(id_)
            texts.append(search_text(ref, zh, en, short, aliases))
        return cls(ids, texts)

    def find(self, q: str, *, max_ids: int = MAX_IDS) -> list[int] | None:
        """Ids of the suppliers whose searched text contains ``q`` (in index order); None when
        more than ``max_ids`` match (use :func:`name_condition` then)."""
        needle = clean_query(q)
        if not needle:
            return None
        key = (needle, max_ids)
        if key in self._recent:
            return self._recent[key]
        result = self._scan(needle, max_ids)
        if len(self._recent) >= RECENT_QUERIES:
            self._recent.clear()
        self._recent[key] = result
        return result

    def _scan(self, needle: str, max_ids: int) -> list[int] | None:
        found: list[int] = []
        blob, starts = self._blob, self._starts
        pos = blob.find(needle)
        while pos != -1:
            record = bisect.bisect_right(starts, pos) - 1
            found.append(self._ids[record])
            if len(found) > max_ids:
                return None
            # Continue at the next supplier: one match per supplier is enough.
            nxt = starts[record + 1] if record + 1 < len(starts) else len(blob)
            pos = blob.find(needle, nxt)
        return found
