"""The reference tables and model parameters shipped in ``config/``, loaded once and cached.

Tables: ``country_risk.csv`` (CPI, modern slavery, child labour per country), ``industry_risk.csv``
(sector exposure 1-4 per category, fire class, aliases), ``dol_goods.csv`` (US DOL list entries),
``risk_model.toml`` (weights and thresholds). Sources are in ``config/sources.csv``.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import config as config_pkg
from riskradar.domain.base import CLASSIFIER_LABELS

CATEGORIES: tuple[str, ...] = CLASSIFIER_LABELS


@dataclass(frozen=True)
class CountryRisk:
    """Published country indicators (``None`` where the table has no figure)."""

    code: str
    name: str
    cpi: float | None
    cpi_year: int | None
    slavery_per_1000: float | None
    slavery_year: int | None
    child_labour_pct: float | None
    child_labour_year: int | None
    child_labour_region: str


@dataclass(frozen=True)
class IndustryRisk:
    """Sector exposure (1-4) per category and fire-hazard class of one industry key."""

    key: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    fire_class: str
    points: dict[str, float]
    rationale: str


@dataclass(frozen=True)
class ListedGood:
    """One entry of the US DOL List of Goods Produced by Child Labor or Forced Labor."""

    country: str
    good: str
    industries: tuple[str, ...]
    child_labour: bool
    forced_labour: bool
    list_year: int


@dataclass(frozen=True)
class Reference:
    """All reference data the model needs, as plain lookups."""

    countries: dict[str, CountryRisk]
    industries: dict[str, IndustryRisk]
    goods: dict[str, tuple[ListedGood, ...]]  # by country
    model: dict[str, Any]
    _alias_patterns: tuple[tuple[re.Pattern[str], str], ...] = field(default=(), repr=False)

    def industry_key(self, industry: str | None) -> str | None:
        """Map a free-text industry (zh or en) to a key of ``industry_risk.csv``; ``None`` if unknown."""
        if not industry:
            return None
        text = industry.strip().lower()
        if text in self.industries:
            return text
        for pattern, key in self._alias_patterns:
            if pattern.search(text):
                return key
        return None


def _rows(name: str) -> list[dict[str, str]]:
    with open(config_pkg.path(name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _num(value: str | None) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def _alias_pattern(alias: str) -> re.Pattern[str]:
    # Chinese aliases match as substrings; Latin ones on word boundaries ("ink" must not hit "drinks").
    if re.search(r"[\u3400-\u9fff]", alias):
        return re.compile(re.escape(alias))
    return re.compile(r"\b" + re.escape(alias) + r"s?\b")


def load_reference(config_dir: Path | None = None) -> Reference:
    """Read the tables from ``config_dir`` (default: the packaged ``config/``); raise ValueError on a bad row."""
    if config_dir is not None:
        return _load(str(config_dir))
    return _cached()


@lru_cache(maxsize=1)
def _cached() -> Reference:
    return _load(None)


def _load(config_dir: str | None) -> Reference:
    def rows(name: str) -> list[dict[str, str]]:
        if config_dir is None:
            return _rows(name)
        with open(Path(config_dir) / name, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(line for line in fh if not line.startswith("#")))

    countries: dict[str, CountryRisk] = {}
    for i, r in enumerate(rows("country_risk.csv"), start=2):
        try:
            code = r["country"].strip().upper()
            if len(code) != 2:
                raise ValueError(f"country code {code!r} is not ISO alpha-2")
            countries[code] = CountryRisk(
                code=code, name=r["name"], cpi=_num(r["cpi"]), cpi_year=_int(r["cpi_year"]),
                slavery_per_1000=_num(r["slavery_per_1000"]), slavery_year=_int(r["slavery_year"]),
                child_labour_pct=_num(r["child_labour_pct"]), child_labour_year=_int(r["child_labour_year"]),
                child_labour_region=r.get("child_labour_region") or "",
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"country_risk.csv data row {i}: {exc}") from exc

    industries: dict[str, IndustryRisk] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for i, r in enumerate(rows("industry_risk.csv"), start=2):
        try:
            key = r["industry"].strip()
            points = {c: float(r[c]) for c in CATEGORIES}
            aliases = tuple(a.strip().lower() for a in r["aliases"].split(";") if a.strip())
            industries[key] = IndustryRisk(key, r["name_zh"], r["name_en"], aliases, r["fire_class"], points, r["rationale"])
            patterns.append((_alias_pattern(key.replace("_", " ")), key))
            patterns.extend((_alias_pattern(a), key) for a in aliases)
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"industry_risk.csv data row {i}: {exc}") from exc

    goods: dict[str, list[ListedGood]] = {}
    for i, r in enumerate(rows("dol_goods.csv"), start=2):
        try:
            good = ListedGood(
                country=r["country"].strip().upper(), good=r["good"].strip(),
                industries=tuple(x.strip() for x in r["industries"].split(";") if x.strip()),
                child_labour=r["child_labour"].strip() == "1", forced_labour=r["forced_labour"].strip() == "1",
                list_year=int(r["list_year"]),
            )
        except (KeyError, ValueError, AttributeError) as exc:
            raise ValueError(f"dol_goods.csv data row {i}: {exc}") from exc
        unknown = [k for k in good.industries if k not in industries]
        if unknown:
            raise ValueError(f"dol_goods.csv data row {i}: unknown industry keys {unknown}")
        goods.setdefault(good.country, []).append(good)

    path = Path(config_dir) / "risk_model.toml" if config_dir else config_pkg.path("risk_model.toml")
    with open(path, "rb") as fh:
        model = tomllib.load(fh)
    return Reference(countries, industries, {k: tuple(v) for k, v in goods.items()}, model, tuple(patterns))
