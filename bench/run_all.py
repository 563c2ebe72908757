"""Run every ``bench/bench_*.py`` benchmark, each in its own process, and print its output.

``python -m bench.run_all [-k SUBSTRING]``. A failing benchmark is reported and the others
still run; the exit code is 1 when any failed. Benchmarks build the cached scale data
(:mod:`bench.datasets`) on first use.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def discover(pattern: str | None = None) -> list[str]:
    """Module names of the benchmarks, sorted, optionally filtered by a substring."""
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    return [n for n in names if not pattern or pattern in n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="pattern", help="only benchmarks whose name contains this")
    args = parser.parse_args(argv)
    failed: list[str] = []
    for name in discover(args.pattern):
        print(f"=== {name}", flush=True)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=ROOT)
        took = time.perf_counter() - started
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(f"--- {name}: {status} in {took:.1f} s\n", flush=True)
        if proc.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
