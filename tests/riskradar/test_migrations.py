"""Migrations: the same Alembic history builds the same schema on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from riskradar.db import Database
from riskradar.domain import Base


def test_migrations_create_every_table(any_db: Database) -> None:
    tables = set(inspect(any_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_models_and_migrations_do_not_drift(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models differ from migrations; add a revision: {diff}"


def test_sqlite_runs_in_wal_mode(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_database_from_the_first_release_upgrades_to_head(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    from riskradar.db import migrate

    url = f"sqlite:///{tmp_path / 'r1.db'}"
    migrate(url, "0001_initial")
    engine = create_engine(url)
    try:
        assert "ix_suppliers_tier_score" not in {i["name"] for i in inspect(engine).get_indexes("suppliers")}
        migrate(url)
        assert "ix_suppliers_tier_score" in {i["name"] for i in inspect(engine).get_indexes("suppliers")}
    finally:
        engine.dispose()
