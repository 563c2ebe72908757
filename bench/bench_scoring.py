"""Benchmark: full re-score of the scale dataset (100k suppliers, 1M articles, 500k findings).

    .venv/bin/python -m bench.bench_scoring [--scale full|small] [--keep]

Works on a private copy of ``bench.datasets.scale_db(scale)`` (scoring writes snapshots), runs
one full scoring pass and one incremental pass (1% of suppliers flagged), and prints seconds,
suppliers/s and peak RSS (``resource.getrusage``; ru_maxrss is KiB on Linux).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, update


def _cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=["full", "small"])
    parser.add_argument("--keep", action="store_true", help="keep the copied database")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("riskradar.scoring").setLevel(logging.DEBUG)  # phase timings of each run

    from bench.datasets import copy_scale_db, scale_meta
    from riskradar.db import Database
    from riskradar.domain import RiskSnapshot, Supplier
    from riskradar.scoring.service import score_suppliers, tier_counts
    from riskradar.settings import load_settings

    meta = scale_meta(args.scale)
    workdir = Path(tempfile.mkdtemp(prefix="bench-scoring-"))
    db_path = copy_scale_db(workdir / "scale.db", args.scale)
    settings = load_settings(env={}, data_dir=workdir, database_url=f"sqlite:///{db_path}", secret_key="bench")
    db = Database(settings)
    rss_before = _peak_rss_mb()
    try:
        with db.session() as session:
            t0, c0 = time.perf_counter(), _cpu_seconds()
            run = score_suppliers(session, settings, full=True)
            full_s, full_cpu = time.perf_counter() - t0, _cpu_seconds() - c0
            n = run.suppliers_scored
            snaps = session.scalar(select(func.count()).select_from(RiskSnapshot))
            tiers = tier_counts(session)
            rss_full = _peak_rss_mb()
            # Incremental: flag 1% of suppliers, as after an ingest cycle.
            session.execute(update(Supplier).where(Supplier.id % 100 == 0).values(needs_rescore=True))
            session.commit()
            t1 = time.perf_counter()
            inc = score_suppliers(session, settings)
            inc_s = time.perf_counter() - t1
        print(f"dataset: {args.scale} {meta['rows']}")
        print(f"full re-score: {n} suppliers in {full_s:.2f} s wall ({full_cpu:.2f} s CPU) = {n / full_s:,.0f} suppliers/s; "
              f"snapshots stored: {snaps}")
        print(f"tiers: {tiers}")
        print(f"incremental re-score: {inc.suppliers_scored} flagged suppliers in {inc_s:.2f} s")
        print(f"peak RSS: {rss_full:,.0f} MB (before scoring {rss_before:,.0f} MB)")
        return {"full_seconds": full_s, "full_cpu_seconds": full_cpu, "suppliers_per_second": n / full_s, "incremental_seconds": inc_s,
                "peak_rss_mb": rss_full}
    finally:
        db.dispose()
        if not args.keep:
            for p in workdir.iterdir():
                p.unlink()
            workdir.rmdir()
        else:
            print(f"kept {db_path}")


if __name__ == "__main__":
    main()
