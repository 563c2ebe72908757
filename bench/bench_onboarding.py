"""Benchmark: onboarding check latency against the scale dataset (100k suppliers, 1M articles).

    .venv/bin/python -m bench.bench_onboarding [--scale full|small] [--n 300]

Read-only on ``bench.datasets.scale_db(scale)``. Queries are existing suppliers' names as a buyer
would type them (Chinese without the legal suffix, English in upper case with "Co., Ltd.", short
names, one-character typos) and unknown vendors. The first call builds the cached name index and
is reported separately; then p50 / p95 / max latency per check and peak RSS are printed.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time

from sqlalchemy import select


def _queries(session, n: int, seed: int = 7) -> list[tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    from riskradar.domain import Supplier

    rng = random.Random(seed)
    rows = session.execute(select(Supplier.name_zh, Supplier.name_en, Supplier.short_name, Supplier.country,
                                  Supplier.industry).order_by(Supplier.id)).all()
    sample = rng.sample(rows, min(n, len(rows)))
    out: list[tuple[str, str | None, str | None]] = []
    for i, (zh, en, short, country, industry) in enumerate(sample):
        kind = i % 5
        if kind == 0 and zh:
            q = zh.replace("有限公司", "").replace("股份", "")
        elif kind == 1 and en:
            q = en.upper()
        elif kind == 2 and short:
            q = short
        elif kind == 3 and (en or zh):
            base = en or zh
            pos = rng.randrange(1, max(2, len(base) - 1))
            q = base[:pos] + base[pos + 1 :]  # a typo: one character dropped
        else:
            q = f"Unknown Vendor {rng.randrange(10**6)} Trading Co., Ltd."
        out.append((q, country if i % 2 else None, industry if i % 3 == 0 else None))
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=["full", "small"])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args(argv)

    from bench.datasets import scale_db
    from riskradar.db import Database
    from riskradar.scoring.onboarding import check_vendor
    from riskradar.settings import load_settings

    path = scale_db(args.scale)
    settings = load_settings(env={}, data_dir=path.parent / "onboarding-bench", database_url=f"sqlite:///{path}",
                             secret_key="bench")
    db = Database(settings)
    try:
        with db.session() as session:
            queries = _queries(session, args.n)
            t0 = time.perf_counter()
            check_vendor(session, settings, name=queries[0][0])
            first = time.perf_counter() - t0
            lat: list[float] = []
            decisions: dict[str, int] = {}
            matched = 0
            for name, country, industry in queries:
                t = time.perf_counter()
                res = check_vendor(session, settings, name=name, country=country, industry=industry)
                lat.append((time.perf_counter() - t) * 1000)
                decisions[res["decision"]] = decisions.get(res["decision"], 0) + 1
                matched += bool(res["matches"])
    finally:
        db.dispose()
    lat.sort()
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"dataset: {args.scale} ({path.name})")
    print(f"first check (builds the name index): {first:.2f} s")
    print(f"{len(lat)} checks: p50 {statistics.median(lat):.1f} ms, p95 {p95:.1f} ms, max {lat[-1]:.1f} ms; "
          f"with matches: {matched}; decisions: {decisions}")
    print(f"peak RSS: {rss:,.0f} MB")
    return {"index_build_seconds": first, "p50_ms": statistics.median(lat), "p95_ms": p95, "peak_rss_mb": rss}


if __name__ == "__main__":
    main()
