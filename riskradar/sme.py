"""SME CSR evaluation standard (中国中小企业社会责任评价标准): indicators, rating, validity.

The standard scores 54 indicators in 11 categories for 1,000 points
(``config/sme_csr_indicators.csv``, transcribed from the standard's Annex B) and rates the
total:

====  =========  ==========================
AAA   951–1000   exemplary (模范)
AA    851–950
A     751–850
BBB   651–750    qualified (合格)
BB    551–650    minor gaps
B     351–550    deficient
C     0–350      seriously deficient
====  =========  ==========================

'+' / '-' refinement (our rule; the standard allows a refinement for every grade except AAA
and C but does not fix one): a band is split into thirds by its width. A total in the top third
of its band gets '+', one in the bottom third gets '-', the middle third has no sign. E.g. AA
(850, 950]: 851–883 → ``AA-``, 884–916 → ``AA``, 917–950 → ``AA+``. ASCII '-' is used so the
grade is easy to type and to filter on.

A rating needs three preconditions (no violations of law, no serious quality or safety
incident, no fraud); without them there is no rating (``None``). A rating is valid for one year.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import config as config_pkg

MAX_TOTAL = 1000.0

# (grade, exclusive lower bound, inclusive upper bound); totals are compared as numbers, so a
# fractional total such as 850.5 falls in AA (above 850).
BANDS: tuple[tuple[str, float, float], ...] = (
    ("AAA", 950.0, 1000.0),
    ("AA", 850.0, 950.0),
    ("A", 750.0, 850.0),
    ("BBB", 650.0, 750.0),
    ("BB", 550.0, 650.0),
    ("B", 350.0, 550.0),
    ("C", -1.0, 350.0),
)
UNREFINED = frozenset({"AAA", "C"})
GRADES: tuple[str, ...] = tuple(b[0] for b in BANDS)


@dataclass(frozen=True)
class Indicator:
    """One indicator of the standard and the points it is worth."""

    code: str
    category_code: str
    category_zh: str
    category_en: str
    name_zh: str
    name_en: str
    points: float


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """The 54 indicators by code (e.g. ``"5.1.1"``), read from ``config/sme_csr_indicators.csv``."""
    with open(config_pkg.path("sme_csr_indicators.csv"), encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {
            r["indicator_code"]: Indicator(
                code=r["indicator_code"],
                category_code=r["category_code"],
                category_zh=r["category_zh"],
                category_en=r["category_en"],
                name_zh=r["indicator_zh"],
                name_en=r["indicator_en"],
                points=float(r["points"]),
            )
            for r in rows
        }


def base_grade(total: float) -> str:
    """The grade without refinement (AAA..C). Raises ValueError outside 0–1000."""
    if not 0 <= total <= MAX_TOTAL:
        raise ValueError(f"SME total must be between 0 and 1000, got {total}")
    for grade, low, high in BANDS:
        if low < total <= high:
            return grade
    return "C"  # total == 0 is covered above; kept for type checkers


def rate(total: float, *, preconditions_met: bool = True) -> str | None:
    """The rating of an SME evaluation total, e.g. ``"BBB+"``; ``None`` when preconditions fail.

    Raises ``ValueError`` when ``total`` is outside 0–1000.
    """
    grade = base_grade(total)
    if not preconditions_met:
        return None
    if grade in UNREFINED:
        return grade
    _, low, high = next(b for b in BANDS if b[0] == grade)
    share = (total - low) / (high - low)
    if share > 2 / 3:
        return grade + "+"
    if share <= 1 / 3:
        return grade + "-"
    return grade


def valid_until(audit_date: date) -> date:
    """Last day a rating given on ``audit_date`` is valid (one year, the day before the anniversary)."""
    try:
        anniversary = audit_date.replace(year=audit_date.year + 1)
    except ValueError:  # 29 February
        anniversary = audit_date.replace(year=audit_date.year + 1, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


def is_valid(audit_date: date, today: date) -> bool:
    """True while a rating given on ``audit_date`` is still valid on ``today``."""
    return audit_date <= today <= valid_until(audit_date)
