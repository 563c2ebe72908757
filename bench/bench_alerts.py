"""Benchmark: red-line article stored → webhook delivered at a local receiver (target p95 < 5 s).

    .venv/bin/python -m bench.bench_alerts [--articles 1000 --batch 50 --json]

A fresh migrated SQLite database gets ``--articles`` suppliers. A producer thread then stores a
burst of ``--articles`` red-line articles (one per supplier, so each is a distinct incident),
``--batch`` per transaction, each with its supplier link and a decided ``fire`` tag, recording the
commit time of every article. Meanwhile the consumer runs the alert pipeline in a tight loop —
``detect_alerts`` (rules → incidents → outbox, one commit) then ``deliver_due`` (claim, send
with HMAC signature through the SSRF-guarded client, record) — with no poll interval. A
``ThreadingHTTPServer`` on 127.0.0.1, in its own process, plays the receiver and records when
each alert arrived.

Latency per article = arrival at the receiver − commit of the article. Prints p50/p95/max,
alerts/s, and peak RSS (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from riskradar.alerts import service
from riskradar.db import Database, migrate
from riskradar.domain import Article, ArticleSupplierLink, ArticleTag, Supplier
from riskradar.settings import load_settings


def _serve_receiver(port_queue: Any, out_path: str) -> None:
    """Receiver process: answer 200 and append "<article id> <arrival time>" per alert source."""
    out = open(out_path, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # answer in one segment (no 40 ms delayed-ACK stalls)

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            now = time.time()
            data = json.loads(body)
            lines = "".join(f"{src['ref_id']} {now}\n" for src in data.get("alert", {}).get("sources", [])
                            if src.get("kind") == "article")
            out.write(lines)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever(poll_interval=0.05)


def _read_arrivals(path: Path) -> dict[int, float]:
    arrivals: dict[int, float] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2:
                arrivals.setdefault(int(parts[0]), float(parts[1]))
    return arrivals


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(q * (len(ordered) - 1)))))
    return ordered[k]


def run(n_articles: int, batch: int, timeout: float = 300.0) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="rr-bench-alerts-"))
    url = f"sqlite:///{tmp / 'riskradar.db'}"
    migrate(url)
    settings = load_settings(env={}, data_dir=tmp, database_url=url, secret_key="bench",
                             fetch_allow_hosts="127.0.0.1")
    db = Database(settings)
    # The receiver runs in its own process, like a real webhook endpoint (not sharing our GIL).
    arrivals_path = tmp / "arrivals.txt"
    ctx = multiprocessing.get_context("fork")
    port_queue = ctx.Queue()
    receiver = ctx.Process(target=_serve_receiver, args=(port_queue, str(arrivals_path)), daemon=True)
    receiver.start()
    host, port = "127.0.0.1", port_queue.get(timeout=30)

    with db.scope() as s:
        service.add_channel(s, "webhook", f"http://{host}:{port}/hook", secret="bench-secret", language="zh")
        s.add_all([Supplier(external_ref=f"B{i:06d}", name_zh=f"基准供应商{i}有限公司", name_en=f"Bench Supplier {i} Ltd",
                            country="CN", risk_tier="medium", needs_rescore=False) for i in range(n_articles)])
    with db.scope() as s:
        supplier_ids = [sid for (sid,) in s.query(Supplier.id).order_by(Supplier.id)]

    stored: dict[int, float] = {}
    producer_done = threading.Event()

    def produce() -> None:
        for start in range(0, n_articles, batch):
            with db.scope() as s:
                arts = []
                for sid in supplier_ids[start:start + batch]:
                    art = Article(title=f"基准供应商{sid}工厂发生火灾 / Fire at Bench Supplier {sid}",
                                  url=f"https://news.example.com/bench/{sid}", lang="zh", title_key=f"b{sid}")
                    s.add(art)
                    arts.append((sid, art))
                s.flush()
                for sid, art in arts:
                    s.add(ArticleSupplierLink(article_id=art.id, supplier_id=sid, matched_text=f"基准供应商{sid}"))
                    s.add(ArticleTag(article_id=art.id, label="fire", probability=0.95, decided=True,
                                     evidence=[{"text": "火灾", "weight": 1.0}], model_version="bench"))
                ids = [art.id for _, art in arts]
            committed = time.time()
            for aid in ids:
                stored[aid] = committed
        producer_done.set()

    started = time.time()
    producer = threading.Thread(target=produce)
    producer.start()
    passes = 0
    detect_s = deliver_s = 0.0
    while time.time() - started < timeout:
        t0 = time.perf_counter()
        with db.scope() as s:
            service.detect_alerts(s, settings)
        t1 = time.perf_counter()
        service.deliver_due(db, settings)
        t2 = time.perf_counter()
        detect_s += t1 - t0
        deliver_s += t2 - t1
        passes += 1
        if producer_done.is_set() and len(_read_arrivals(arrivals_path)) >= n_articles:
            break
    elapsed = time.time() - started
    producer.join()
    arrivals = _read_arrivals(arrivals_path)
    receiver.terminate()
    receiver.join(10)
    db.dispose()
    shutil.rmtree(tmp, ignore_errors=True)

    latencies = [arrivals[a] - stored[a] for a in stored if a in arrivals]
    return {
        "articles": n_articles,
        "batch": batch,
        "delivered": len(latencies),
        "lost": n_articles - len(latencies),
        "passes": passes,
        "seconds_total": round(elapsed, 2),
        "seconds_detect": round(detect_s, 2),
        "seconds_deliver": round(deliver_s, 2),
        "producer_seconds": round(max(stored.values()) - started, 2) if stored else None,
        "alerts_per_second": round(len(latencies) / elapsed, 1) if elapsed else None,
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(_percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "database": "sqlite",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50, help="articles per producer transaction")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.articles, args.batch)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"alerts: {result['delivered']}/{result['articles']} red-line articles delivered "
              f"({result['lost']} lost) in {result['seconds_total']} s over {result['passes']} detect+deliver passes "
              f"(detect {result['seconds_detect']} s, deliver {result['seconds_deliver']} s; "
              f"burst stored within {result['producer_seconds']} s)")
        print(f"stored → webhook delivered: p50 {result['latency_p50_s']} s, p95 {result['latency_p95_s']} s "
              f"(target < 5 s), max {result['latency_max_s']} s; {result['alerts_per_second']} alerts/s; "
              f"peak RSS {result['peak_rss_mb']} MB")
    return 0 if result["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
