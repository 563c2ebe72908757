"""Graded management (分级管理): tier names, required actions and the risk-map matrix (config/tiers.toml)."""

from __future__ import annotations

import bisect
import tomllib
from functools import lru_cache
from typing import Any, Sequence

import config as config_pkg
from riskradar.domain.base import RISK_TIERS


@lru_cache(maxsize=1)
def load_tiers() -> dict[str, Any]:
    """The parsed ``config/tiers.toml``; raises ValueError when a tier or the matrix is malformed."""
    with open(config_pkg.path("tiers.toml"), "rb") as fh:
        data = tomllib.load(fh)
    for tier in RISK_TIERS:
        spec = data.get("tiers", {}).get(tier)
        if not spec or not spec.get("actions_en") or not spec.get("actions_zh"):
            raise ValueError(f"tiers.toml: tier {tier!r} needs en/zh names and actions")
    rows = data.get("matrix", {}).get("rows", [])
    if len(rows) != 5 or any(len(r) != 5 or any(t not in RISK_TIERS for t in r) for r in rows):
        raise ValueError("tiers.toml: [matrix] rows must be 5 x 5 tiers")
    return data


def tier_actions(tier: str, lang: str = "en") -> list[str]:
    """The management actions a tier requires, in ``lang`` ("en" or "zh"). Raises KeyError for an unknown tier."""
    spec = load_tiers()["tiers"][tier]
    return list(spec["actions_zh" if lang.startswith("zh") else "actions_en"])


def tier_name(tier: str, lang: str = "en") -> str:
    """Display name of a tier ("Red line" / "红线")."""
    spec = load_tiers()["tiers"][tier]
    return spec["zh" if lang.startswith("zh") else "en"]


def tier_rank(tier: str | None) -> int:
    """0 for low .. 3 for red_line; -1 for none (never scored)."""
    return RISK_TIERS.index(tier) if tier in RISK_TIERS else -1


def band(value: float, bounds: Sequence[float]) -> int:
    """Band 1..len(bounds)+1 of ``value``: bounds are the exclusive upper limits of bands 1..n."""
    return bisect.bisect_right(list(bounds), value) + 1


def matrix_tier(likelihood_band: int, impact_band: int) -> str:
    """The tier of a risk-map cell (bands 1..5)."""
    rows = load_tiers()["matrix"]["rows"]
    return rows[likelihood_band - 1][impact_band - 1]


def tier_summary(tier: str) -> dict[str, Any]:
    """Name, colour and actions of a tier in both languages (for the web layer and the CLI)."""
    spec = load_tiers()["tiers"][tier]
    return {
        "tier": tier, "name_en": spec["en"], "name_zh": spec["zh"], "color": spec.get("color"),
        "actions_en": list(spec["actions_en"]), "actions_zh": list(spec["actions_zh"]),
    }
