"""Benchmark: import a 100,000-row supplier CSV into a fresh SQLite database.

``python -m bench.bench_import_suppliers [--rows N] [--reimport]`` prints rows/s (wall and
CPU), peak RSS of the import process, and the import counts. The import runs in a child
process (``--child``) so the RSS figure belongs to the import alone, not to CSV generation.
Target (issue 2): >= 10,000 rows/s and peak RSS < 500 MB at 100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(csv_path: Path, data_dir: Path, reimport: bool) -> dict[str, object]:
    """Run inside the child process: migrate, import (twice with ``reimport``), measure."""
    from riskradar.db import Database
    from riskradar.services.suppliers import import_suppliers
    from riskradar.settings import load_settings

    settings = load_settings(env={}, data_dir=data_dir, secret_key="bench")
    db = Database(settings)
    db.migrate()
    runs = []
    for label in ("first import", "re-import (unchanged)")[: 2 if reimport else 1]:
        wall, cpu = time.perf_counter(), time.process_time()
        with db.scope() as session:
            batch = import_suppliers(session, settings, csv_path, source="bench")
            summary = batch.summary()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        runs.append({"run": label, "rows": summary["rows_total"], "seconds": round(wall, 2),
                     "cpu_seconds": round(cpu, 2), "rows_per_s": round(summary["rows_total"] / wall),
                     "rows_per_cpu_s": round(summary["rows_total"] / cpu), "created": summary["created"],
                     "updated": summary["updated"], "unchanged": summary["unchanged"],
                     "rejected": summary["rejected"]})
    db.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"runs": runs, "peak_rss_mb": round(peak_mb, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reimport", action="store_true", help="also time a second, unchanged import")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--child", nargs=2, metavar=("CSV", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]), args.reimport)))
        return 0

    from bench.datasets import supplier_csv

    csv_path = supplier_csv(args.rows)
    with tempfile.TemporaryDirectory(prefix="rr-bench-import-") as tmp:
        cmd = [sys.executable, "-m", "bench.bench_import_suppliers", "--child", str(csv_path), tmp]
        if args.reimport:
            cmd.append("--reimport")
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(bench="import_suppliers", csv=str(csv_path), csv_bytes=csv_path.stat().st_size,
                  database="sqlite (fresh, migrated)")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"supplier import: {args.rows:,}-row CSV ({result['csv_bytes'] / 1e6:.1f} MB) into a fresh SQLite DB")
    for run in result["runs"]:
        print(f"  {run['run']}: {run['rows_per_s']:,} rows/s wall ({run['seconds']} s), "
              f"{run['rows_per_cpu_s']:,} rows/s CPU ({run['cpu_seconds']} s); created {run['created']}, "
              f"updated {run['updated']}, unchanged {run['unchanged']}, rejected {run['rejected']}")
    print(f"  peak RSS of the import process: {result['peak_rss_mb']} MB")
    print("  target: >= 10,000 rows/s, peak RSS < 500 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
