"""Alert configuration: ``config/alerts.toml`` merged with an optional ``<data_dir>/alerts.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import config as config_pkg
from riskradar.settings import Settings


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class AlertConfig:
    """Typed view of the alert rules, incident window, throttling and delivery settings."""

    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: Settings | None = None, *, path: Path | None = None) -> "AlertConfig":
        """Defaults from the package, then ``<data_dir>/alerts.toml`` (or ``path``) on top.

        Raises ``ValueError`` naming the file when an override is not valid TOML.
        """
        with open(config_pkg.path("alerts.toml"), "rb") as fh:
            data = tomllib.load(fh)
        override = path or (settings.data_dir / "alerts.toml" if settings is not None else None)
        if override is not None and override.is_file():
            try:
                with open(override, "rb") as fh:
                    data = _merge(data, tomllib.load(fh))
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{override}: {exc}") from exc
        return cls(data)

    def section(self, *names: str) -> dict[str, Any]:
        node: Any = self.raw
        for name in names:
            node = node.get(name, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}

    # --- rules ----------------------------------------------------------------------------
    @property
    def red_lines(self) -> tuple[str, ...]:
        return tuple(self.section("rules").get("red_line_categories", ()))

    @property
    def batch_size(self) -> int:
        return int(self.section("rules").get("batch_size", 500))

    def rule(self, name: str) -> dict[str, Any]:
        return self.section("rules", name)

    def rule_enabled(self, name: str) -> bool:
        return bool(self.rule(name).get("enabled", True))

    def news_threshold(self, category: str) -> float:
        news = self.rule("news")
        by_cat = news.get("min_probability_by_category", {}) or {}
        return float(by_cat.get(category, news.get("min_probability", 0.5)))

    # --- incidents and throttling ---------------------------------------------------------
    @property
    def window_days(self) -> float:
        return float(self.section("incidents").get("window_days", 7))

    def throttle_minutes(self, category: str) -> float:
        throttle = self.section("throttle")
        return float((throttle.get("by_category", {}) or {}).get(category, throttle.get("default_minutes", 60)))

    # --- delivery -------------------------------------------------------------------------
    def delivery(self, key: str, default: Any) -> Any:
        return self.section("delivery").get(key, default)

    @property
    def digest_hour(self) -> int:
        return int(self.section("digest").get("hour_utc", 1))
