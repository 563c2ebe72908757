"""Shared fixtures: real databases (SQLite files, and PostgreSQL when reachable), settings."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from riskradar.db import Database, migrate
from riskradar.settings import Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
PG_URL = os.environ.get("RISKRADAR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                               connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL tests"
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}"


_PG_SKIP_REASON = _pg_reachable()


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: isolated data dir, no environment leakage, loopback fetches allowed."""
    base = {"fetch_allow_hosts": "127.0.0.1,::1,localhost", "secret_key": "test-secret", "scheduler_in_web": False}
    base.update(overrides)
    return load_settings(env={}, data_dir=data_dir, **base)


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per session; each test gets a copy of the file (fast, and still real)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, _migrated_sqlite_template: Path) -> Settings:
    """Settings on a fresh, migrated SQLite database file under ``tmp_path``."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(_migrated_sqlite_template, data_dir / "riskradar.db")
    return make_settings(data_dir)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """The migrated SQLite database of ``settings``."""
    database = Database(settings)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session on ``db``; committed work is visible to other sessions."""
    s = db.session()
    yield s
    s.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL on a private, freshly created schema (dropped afterwards)."""
    if _PG_SKIP_REASON:
        pytest.skip(_PG_SKIP_REASON)
    schema = f"rr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path, _migrated_sqlite_template: Path) -> Iterator[Database]:
    """The same test on a migrated SQLite file and on PostgreSQL (skipped when unreachable)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if request.param == "sqlite":
        shutil.copy(_migrated_sqlite_template, data_dir / "riskradar.db")
        database = Database(make_settings(data_dir))
    else:
        url = request.getfixturevalue("pg_url")
        database = Database(make_settings(data_dir, database_url=url))
        database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests using it skip when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} not present (reference material is optional)")
    return SHARED_DIR
