"""Settings: defaults from ``config/default.toml``, overridden by ``RISKRADAR_*`` variables.

This is the only module that reads the environment. Everything else receives a
:class:`Settings` object.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import config as config_pkg

ENV_PREFIX = "RISKRADAR_"


@dataclass(frozen=True)
class Settings:
    """Typed, immutable application settings (see ``config/default.toml`` for meanings)."""

    data_dir: Path
    database_url: str
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8080
    scheduler_in_web: bool = True
    web_workers: int = 2
    threads: int = 8
    max_upload_bytes: int = 20_000_000
    max_import_bytes: int = 200_000_000
    inbox_dir: Path = Path("inbox")
    inbox_settle_seconds: float = 2.0
    fetch_timeout_seconds: float = 10.0
    fetch_max_bytes: int = 5_000_000
    fetch_retries: int = 2
    fetch_allow_hosts: str = ""
    fetch_user_agent: str = "RiskRadar/0.1"
    supplier_search_feed_template: str = ""
    default_feed_poll_minutes: int = 30
    poll_feeds_interval_seconds: int = 60
    inbox_interval_seconds: int = 30
    rescore_interval_seconds: int = 120
    dispatch_alerts_interval_seconds: int = 15
    expire_agreements_hour: int = 2
    retrain_day_of_week: str = "sun"
    heartbeat_interval_seconds: int = 0
    job_stale_after_seconds: int = 21600
    demo_drip_interval_seconds: int = 20
    news_half_life_days: float = 90.0
    audit_validity_months: int = 24
    model_dir: str = ""
    base_url: str = "http://127.0.0.1:8080"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "riskradar@localhost"
    smtp_starttls: bool = False
    delivery_max_attempts: int = 12
    demo_mode: bool = False
    demo_drip_minutes: int = 30
    log_level: str = "INFO"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def raw_dir(self) -> Path:
        """Where original input files (imports, fetched feeds) are retained."""
        return self.data_dir / "raw"

    @property
    def allow_hosts(self) -> list[str]:
        """The SSRF allow-list as a list of hosts or CIDRs."""
        return [h.strip() for h in self.fetch_allow_hosts.split(",") if h.strip()]

    def replace(self, **changes: Any) -> "Settings":
        """Return a copy with ``changes`` applied (used by tests and the CLI)."""
        return dataclasses.replace(self, **changes)


def _coerce(raw: str, target: Any) -> Any:
    """Convert an environment string to the type of the default value."""
    if isinstance(target, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(target, int):
        return int(raw.replace("_", ""))
    if isinstance(target, float):
        return float(raw)
    if isinstance(target, Path):
        return Path(raw)
    return raw


def _defaults() -> dict[str, Any]:
    with open(config_pkg.path("default.toml"), "rb") as fh:
        return tomllib.load(fh)


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, then ``RISKRADAR_*`` variables, then ``overrides``.

    Raises ``ValueError`` naming the variable when an environment value has the wrong type.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = _defaults()
    known = {f.name for f in fields(Settings)} - {"extra"}
    extra = {k: v for k, v in values.items() if k not in known}
    values = {k: v for k, v in values.items() if k in known}
    for name in known:
        key = ENV_PREFIX + name.upper()
        if key in env:
            default = values.get(name, "")
            if name in {"data_dir", "inbox_dir"}:
                default = Path()
            try:
                values[name] = _coerce(env[key], default)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from exc
    values.update(overrides)

    data_dir = Path(values.get("data_dir") or "instance").expanduser().resolve()
    values["data_dir"] = data_dir
    inbox = Path(values.get("inbox_dir") or "inbox").expanduser()
    values["inbox_dir"] = inbox if inbox.is_absolute() else data_dir / inbox
    if not values.get("database_url"):
        values["database_url"] = f"sqlite:///{data_dir / 'riskradar.db'}"
    if not values.get("secret_key"):
        values["secret_key"] = _persistent_secret(data_dir)
    values["extra"] = extra
    return Settings(**values)


def settings_env(settings: Settings) -> dict[str, str]:
    """``RISKRADAR_*`` variables that make :func:`load_settings` in a child process rebuild
    ``settings`` (for processes the server starts, such as the scheduler)."""
    out = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        value = getattr(settings, f.name)
        out[ENV_PREFIX + f.name.upper()] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def _persistent_secret(data_dir: Path) -> str:
    """Generate a random secret once per data directory so sessions survive restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_hex(32)
    path.write_text(token)
    path.chmod(0o600)
    return token
