"""Cached benchmark datasets: the scale SQLite database and supplier CSV files.

``scale_db("full")`` builds ``bench/data/scale-full-v<version>-s<seed>.db`` once (a few minutes)
and returns its path on every later call; concurrent callers wait on a file lock instead of
building twice. Benchmarks that write should work on :func:`copy_scale_db` rather than on the
cached file. Everything under ``bench/data/`` is generated and ignored by git.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from bench.generate import DEFAULT_SEED, GENERATOR_VERSION, SCALES, build

DATA_DIR = Path(__file__).resolve().parent / "data"


def _stem(scale: str, seed: int) -> str:
    return f"scale-{scale}-v{GENERATOR_VERSION}-s{seed}"


@contextmanager
def _lock(name: str) -> Iterator[None]:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def scale_db(scale: str = "full", *, seed: int = DEFAULT_SEED, rebuild: bool = False) -> Path:
    """Path of the migrated, populated scale database (built on first use, then cached).

    ``full``: 100,000 suppliers, 1,000,000 articles, 100,000 audits / 500,000 findings,
    agreements for ~85% of suppliers; ``small`` is ten times smaller.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
    path = DATA_DIR / f"{_stem(scale, seed)}.db"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        with _lock(_stem(scale, seed)):
            sync_model_indexes(path)
        return path
    with _lock(_stem(scale, seed)):
        if path.exists() and meta.exists() and not rebuild:
            sync_model_indexes(path)
            return path  # another process built it while we waited
        tmp = path.with_suffix(".building")
        for stale in (tmp, path, meta, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        print(f"building {scale} scale dataset (seed {seed}) -> {path}", file=sys.stderr)
        info = build(tmp, scale, seed, log=lambda msg: print(msg, file=sys.stderr))
        os.replace(tmp, path)
        meta.write_text(json.dumps(info, indent=2))
        print(f"built in {info['build_seconds']}s: {info['rows']}", file=sys.stderr)
    return path


def sync_model_indexes(path: Path) -> list[str]:
    """Bring the indexes of a cached SQLite database in line with the models (idempotent).

    A cached dataset built before an index was added (or renamed) in ``riskradar/domain`` gets
    the same ``CREATE INDEX`` the initial migration runs, same name, and loses ``ix_*`` indexes
    the models no longer declare; the touched tables are re-ANALYZEd. Takes seconds, instead of a
    rebuild. Returns what it did (empty when already in line).
    """
    import sqlite3

    from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
    from sqlalchemy.schema import CreateIndex

    from riskradar.domain import Base

    wanted = {idx.name: idx for table in Base.metadata.tables.values() for idx in table.indexes}
    conn = sqlite3.connect(path)
    try:
        existing = {name: tbl for name, tbl in conn.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        done: list[str] = []
        touched: set[str] = set()
        for name, idx in wanted.items():
            if name not in existing and idx.table.name in {t for t in existing.values()}:
                conn.execute(str(CreateIndex(idx).compile(dialect=sqlite_dialect())))
                done.append(f"+{name}")
                touched.add(idx.table.name)
        for name, table in existing.items():
            if name.startswith("ix_") and name not in wanted:
                conn.execute(f"DROP INDEX {name}")
                done.append(f"-{name}")
                touched.add(table)
        for table in sorted(touched):
            conn.execute(f"ANALYZE {table}")
        conn.commit()
    finally:
        conn.close()
    if done:
        print(f"{path.name}: indexes synced with the models: {' '.join(done)}", file=sys.stderr)
    return done


def scale_meta(scale: str = "full", *, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Metadata of the cached dataset (row counts, seed, anchor date, build time)."""
    path = scale_db(scale, seed=seed)
    return json.loads(path.with_suffix(".json").read_text())


def copy_scale_db(dest: Path, scale: str = "full", *, seed: int = DEFAULT_SEED) -> Path:
    """A private copy of the scale database at ``dest`` (a file path), for benchmarks that write."""
    src = scale_db(scale, seed=seed)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


def supplier_csv(n: int, path: Path | None = None, *, seed: int = DEFAULT_SEED, headers: str = "en") -> Path:
    """An ``n``-row supplier CSV in the import format (cached under ``bench/data`` unless ``path``).

    Rows come from the same generator as the demo and the scale database; about 12% are tier-2
    rows whose parent reference points at another row of the file.
    """
    from riskradar.demo.suppliers import generate_suppliers, write_supplier_csv

    if path is None:
        path = DATA_DIR / f"suppliers-{n}-s{seed}-{headers}-v{GENERATOR_VERSION}.csv"
        if path.exists():
            return path
        with _lock(path.stem):
            if not path.exists():
                tmp = path.with_suffix(".tmp")
                write_supplier_csv(generate_suppliers(n, seed), tmp, headers=headers)
                os.replace(tmp, path)
        return path
    return write_supplier_csv(generate_suppliers(n, seed), path, headers=headers)
