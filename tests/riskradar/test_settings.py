"""Settings: defaults from config/default.toml, RISKRADAR_* overrides, README reference in sync."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from riskradar.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    s = load_settings(env={"RISKRADAR_PORT": "9090", "RISKRADAR_DEMO_MODE": "yes"}, data_dir=tmp_path)
    assert (s.port, s.demo_mode) == (9090, True)


def test_sqlite_file_under_data_dir_is_the_default(tmp_path: Path) -> None:
    s = load_settings(env={}, data_dir=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path.resolve() / 'riskradar.db'}"


def test_wrongly_typed_variable_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="RISKRADAR_PORT"):
        load_settings(env={"RISKRADAR_PORT": "eighty"}, data_dir=tmp_path)


def test_generated_secret_is_stable_per_data_dir(tmp_path: Path) -> None:
    first = load_settings(env={}, data_dir=tmp_path).secret_key
    assert len(first) == 64 and load_settings(env={}, data_dir=tmp_path).secret_key == first


def test_every_setting_has_a_default_in_config_toml() -> None:
    import tomllib

    defaults = tomllib.loads((ROOT / "config" / "default.toml").read_text(encoding="utf-8"))
    missing = [f.name for f in fields(Settings) if f.name != "extra" and f.name not in defaults]
    assert missing == []


def test_readme_configuration_table_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_config_table.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
