"""Benchmark: the web app under its production server at scale, driven by 20 concurrent HTTP clients.

    .venv/bin/python -m bench.bench_web [--scale full|small] [--clients 20] [--requests 20] [--workers N] [--json]

Works on a private copy of ``bench.datasets.scale_db(scale)`` (100k suppliers / 1M articles for
``full``) kept under ``bench/data/web-<scale>/`` so later runs skip the copy; scores every supplier
once with the real scorer when the copy has no snapshots yet. Starts the production server as
``riskradar serve`` does it (gunicorn, ``--workers`` processes x ``settings.threads`` threads, a
separate process tree) on 127.0.0.1 and waits until every worker has warmed its caches, then runs
two bounded load phases with ``--clients`` keep-alive connections from one client process (each
client sends ``--requests`` requests):

1. dashboard: ``GET /`` with filters rotating over countries / tiers / none (session cookie);
2. API list: ``GET /api/v1/suppliers`` with rotating page, filters and sort (bearer token).

A third phase sends uncached API pages from a single client (the per-request cost without
queueing). The server's short TTL caches (30 s) are on, as in production: repeated pages are
served from memory, so phase 2 mixes cache hits and misses. Prints p50 / p95 / max latency,
throughput and errors per phase, the slowest 5 % of requests, the cold (first, uncached) dashboard
time per filter, and the peak RSS of each server process. Targets from the issue: dashboard
p95 < 500 ms, API list p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import requests

DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "bench-password-1"
DASHBOARD_FILTERS = ["", "?country=CN", "?tier=high", "?country=VN", "?industry=electronics", "?tier=red_line",
                     "?country=IN&tier=medium", "?country=BD"]


class ServerProcess:
    """``riskradar serve`` (gunicorn, the production server) on the bench database, as a child."""

    def __init__(self, proc: subprocess.Popen[str], port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log

    def tree(self) -> list[int]:
        """The master and its children (pids)."""
        pids = [self.proc.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                        pids.append(int(entry.name))
                except OSError:
                    continue
        return pids

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes: a figure that, unlike
        latency, hardly moves when other programs load the machine."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.tree():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def peak_rss_mb(self) -> dict[str, float]:
        """Peak resident memory (VmHWM) per process of the server, and their sum."""
        out: dict[str, float] = {}
        for pid in self.tree():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
            out["master" if pid == self.proc.pid else str(pid)] = round(kb / 1024, 1)
        out["total"] = round(sum(out.values()), 1)
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_server(settings: Any, workers: int) -> ServerProcess:
    """Start ``riskradar serve --workers N`` on a free port; return once every worker has warmed
    its caches (as a server that has been up a little while would have)."""
    env = {**os.environ, "RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": settings.secret_key, "RISKRADAR_SCHEDULER_IN_WEB": "false",
           "RISKRADAR_LOG_LEVEL": "WARNING"}
    log = settings.data_dir / "server.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "riskradar", "serve", "--host", "127.0.0.1", "--port", "0",
                                 "--workers", str(workers)], stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    line = proc.stdout.readline()
    if "running at" not in line:
        raise SystemExit(f"server did not start: {line}{log.read_text()[-2000:]}")
    port = int(re.search(r":(\d+)/", line).group(1))
    deadline = time.monotonic() + 600
    while log.read_text().count("cache warm-up") < 2 * workers:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server failed while warming up:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)
    return ServerProcess(proc, port, log)


def prepare(scale: str) -> tuple[Any, Any]:
    """Settings and Database on the private copy (copied, scored and given a bench user once)."""
    from bench.datasets import scale_db
    from riskradar.db import Database
    from riskradar.settings import load_settings

    workdir = DATA / f"web-{scale}"
    db_path = workdir / "scale.db"
    if not db_path.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        src = scale_db(scale)
        print(f"copying {src.name} ({src.stat().st_size / 1e9:.2f} GB) ...", flush=True)
        shutil.copyfile(src, workdir / "scale.db.part")
        (workdir / "scale.db.part").rename(db_path)
    from bench.datasets import sync_model_indexes

    sync_model_indexes(db_path)  # a copy made before an index was added to the models
    settings = load_settings(env={}, data_dir=workdir, database_url=f"sqlite:///{db_path}", secret_key="bench",
                             scheduler_in_web=False)
    db = Database(settings)
    db.migrate()
    from sqlalchemy import func, select

    from riskradar.domain import RiskSnapshot
    from riskradar.services.users import create_user, get_user

    with db.scope() as session:
        if not session.scalar(select(func.count()).select_from(select(RiskSnapshot.id).limit(1).subquery())):
            from riskradar.scoring.service import score_suppliers

            t0 = time.perf_counter()
            run = score_suppliers(session, settings, full=True)
            print(f"scored {run.suppliers_scored:,} suppliers in {time.perf_counter() - t0:.1f} s (one-off setup)",
                  flush=True)
        if get_user(session, "bench") is None:
            create_user(session, "bench", PASSWORD, "admin", language="en")
    return settings, db


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(pct / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def _client_process(host: str, port: int, plans: list[tuple[dict[str, str], list[str]]], out: Any) -> None:
    """Child process: one thread per client, keep-alive http.client connections, latencies in ms."""
    import http.client

    latencies: list[float] = []
    timed: list[tuple[float, float, str]] = []  # (ms, seconds since phase start, path)
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(plans))

    def worker(headers: dict[str, str], paths: list[str]) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        barrier.wait()
        for path in paths:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok, detail = response.status == 200, f"{response.status} {path}"
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=120)
                ok, detail = False, f"{type(exc).__name__} {path}"
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(ms)
                timed.append((ms, time.perf_counter() - t_start, path))
                if not ok:
                    errors.append(detail)
        conn.close()

    threads = [threading.Thread(target=worker, args=plan) for plan in plans]
    t0 = t_start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put({"latencies": latencies, "timed": timed, "errors": errors, "wall": time.perf_counter() - t0,
             "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0})


def run_phase(name: str, port: int, plans: list[tuple[dict[str, str], list[str]]],
              cpu: Callable[[], float] | None = None) -> dict[str, Any]:
    """Run the clients of ``plans`` (headers, paths) in a separate process so they do not share
    the server's interpreter lock; summarise the latencies (and, with ``cpu``, the server's CPU
    time per request)."""
    import multiprocessing

    cpu_before = cpu() if cpu else 0.0
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_client_process, args=("127.0.0.1", port, plans, queue))
    proc.start()
    result = queue.get(timeout=3600)
    proc.join(timeout=30)
    latencies = result["latencies"]
    return {"phase": name, "requests": len(latencies), "errors": len(result["errors"]),
            "error_samples": result["errors"][:3], "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 95), 1), "max_ms": round(max(latencies), 1),
            "req_per_s": round(len(latencies) / result["wall"], 1), "client_rss_mb": round(result["rss_mb"], 1),
            "server_cpu_ms_per_request": round((cpu() - cpu_before) * 1000 / len(latencies), 2) if cpu else None,
            # The slowest 5 %: which requests make the p95, and when in the phase they ran.
            "slowest": [{"ms": round(ms, 1), "at_s": round(at, 2), "path": path}
                        for ms, at, path in sorted(result["timed"], reverse=True)[:max(1, len(latencies) // 20)]]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=["full", "small"])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="requests per client per phase")
    parser.add_argument("--workers", type=int, default=0, help="server processes (default: settings.web_workers)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    settings, db = prepare(args.scale)
    workers = args.workers or settings.web_workers
    server = start_server(settings, workers)
    port = server.port
    base = f"http://127.0.0.1:{port}"
    from riskradar.services.users import create_api_token, get_user

    with db.scope() as session:
        token = create_api_token(session, get_user(session, "bench"), "bench-web")

    def login_cookie() -> str:
        http = requests.Session()
        page = http.get(f"{base}/login", timeout=60).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = http.post(f"{base}/login", data={"username": "bench", "password": PASSWORD, "csrf_token": csrf},
                      timeout=60, allow_redirects=False)
        assert r.status_code == 302, r.text[:300]
        return "; ".join(f"{k}={v}" for k, v in http.cookies.items())

    results: dict[str, Any] = {"scale": args.scale, "clients": args.clients, "workers": workers,
                               "threads": settings.threads}
    try:
        # Cold (uncached) dashboard per filter, one at a time: what the first viewer waits.
        cookie = login_cookie()
        cold = {}
        for f in DASHBOARD_FILTERS:
            t0 = time.perf_counter()
            assert requests.get(f"{base}/{f}", headers={"Cookie": cookie}, timeout=300).status_code == 200
            cold[f or "(none)"] = round((time.perf_counter() - t0) * 1000, 1)
        results["dashboard_cold_ms"] = cold
        dash_plans = [({"Cookie": login_cookie()},
                       [f"/{DASHBOARD_FILTERS[(c + i) % len(DASHBOARD_FILTERS)]}" for i in range(args.requests)])
                      for c in range(args.clients)]
        results["dashboard"] = run_phase("dashboard", port, dash_plans, server.cpu_seconds)
        api_filters = ["", "&country=CN", "&tier=high", "&sort=-score", "&q=%E7%94%B5%E5%AD%90", "&industry=textiles",
                       "&country=VN&sort=-spend", "&tier=low&sort=ref"]
        auth = {"Authorization": f"Bearer {token}"}
        api_plans = [(auth, [f"/api/v1/suppliers?per_page=50&page={1 + (c * 7 + i) % 20}"
                             f"{api_filters[(c + i) % len(api_filters)]}" for i in range(args.requests * 3)])
                     for c in range(args.clients)]
        results["api_list"] = run_phase("api_list", port, api_plans, server.cpu_seconds)
        # One client, pages not requested before (so not in the server's response cache): the
        # uncached per-request cost without queueing.
        fresh = [f"/api/v1/suppliers?per_page=50&page={21 + i}{api_filters[i % len(api_filters)]}" for i in range(64)]
        results["api_list_1_client"] = run_phase("api_list_1_client", port, [(auth, fresh)], server.cpu_seconds)
        results["server_peak_rss_mb"] = server.peak_rss_mb()
    finally:
        server.stop()
        db.dispose()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print(f"web benchmark, scale={args.scale} ({'100k suppliers / 1M articles' if args.scale == 'full' else '10k / 100k'}),"
              f" riskradar serve (gunicorn): {workers} worker processes x {settings.threads} threads,"
              f" {args.clients} concurrent clients, server caches 30 s")
        print("  cold dashboard (first request per filter, ms): " + ", ".join(f"{k} {v}" for k, v in cold.items()))
        for key, target in (("dashboard", 500), ("api_list", 100)):
            r = results[key]
            print(f"  {key:9s}: {r['requests']} requests, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms "
                  f"(target < {target} ms), max {r['max_ms']} ms, {r['req_per_s']} req/s, errors {r['errors']}, "
                  f"server CPU {r['server_cpu_ms_per_request']} ms/request")
        single = results["api_list_1_client"]
        print(f"  api_list, 1 client, uncached pages (no queueing): p50 {single['p50_ms']} ms, p95 {single['p95_ms']} ms, "
              f"server CPU {single['server_cpu_ms_per_request']} ms/request")
        print(f"  peak RSS of the server processes: {results['server_peak_rss_mb']} MB "
              f"(clients run in a separate process: {results['api_list']['client_rss_mb']} MB)")
    return results


if __name__ == "__main__":
    main()
