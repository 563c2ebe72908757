"""Benchmark: news ingestion from local feed files against 100,000 suppliers on SQLite.

End to end per feed document: keep raw bytes, parse (feedparser), normalise (nh3, canonical URL,
UTC time, language), de-duplicate (guid/link and title fingerprint, against the articles already
in the database), store, and link to suppliers with the Aho-Corasick matcher. Classification is
excluded (its own benchmark). Also measures feedparser's parse-only throughput on the same files
and the matcher's build time and memory.

    .venv/bin/python -m bench.bench_ingest [--feeds 200 --items 50 --scale full --json]

The database is a private copy of ``bench.datasets.scale_db(scale)`` (100,000 suppliers and
1,000,000 articles for "full"), so de-duplication looks up a realistically large table.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser
from sqlalchemy import func, select

from riskradar.db import Database
from riskradar.domain.news import Article, Feed
from riskradar.domain.suppliers import Supplier
from riskradar.ingest import ingest_feed_bytes
from riskradar.linking import SupplierMatcher
from riskradar.settings import load_settings

EVENTS_EN = ["fire breaks out at {n} plant", "workers at {n} protest unpaid overtime", "{n} opens new warehouse",
             "{n} reports record quarterly orders", "inspectors find underage workers at {n}",
             "{n} executives questioned in bribery probe", "{n} signs supply deal with European retailer",
             "{n} recalls batch of power adapters"]
EVENTS_ZH = ["{n}厂房发生火灾", "{n}员工讨薪", "{n}新工厂投产", "{n}一季度营收增长", "{n}被曝使用童工",
             "{n}高管涉嫌行贿被调查", "{n}获得海外大额订单", "{n}召回一批电源适配器"]
GENERIC_EN = ["Container rates ease on Asia-Europe routes", "Electronics exports steady in {m}",
              "Cotton prices climb on weather worries", "Port of {p} volumes rise", "Textile mills invest in dyeing upgrades",
              "Factory activity expands for a {k} month", "Retailers tighten supplier codes of conduct",
              "Battery makers cut prices as lithium falls"]
GENERIC_ZH = ["{p}港集装箱吞吐量增长", "{m}电子产品出口平稳", "棉花价格上涨", "纺织企业推进印染升级",
              "制造业景气度连续第{k}个月扩张", "零售商加强供应商行为准则审核", "电池企业下调报价"]
PLACES = ["Shenzhen", "Ningbo", "Shanghai", "Haiphong", "Chittagong", "Qingdao", "Xiamen", "Tianjin"]
PLACES_ZH = ["深圳", "宁波", "上海", "青岛", "厦门", "天津"]
LEAD_EN = ("The company said it was cooperating with local authorities. Analysts expect limited impact on "
           "deliveries this quarter, while buyers are reviewing their audit schedules.")
LEAD_ZH = "公司表示正在配合有关部门调查，预计对本季度交付影响有限，多家采购商已着手复核审核计划。"


def rss_max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1_048_576


def generate_feeds(folder: Path, names: list[tuple[str, str]], n_feeds: int, n_items: int, seed: int) -> list[Path]:
    """Write ``n_feeds`` RSS files of ``n_items`` items; ~25% name a supplier, ~3% are syndicated copies."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 20, tzinfo=timezone.utc)
    paths: list[Path] = []
    syndicated: list[str] = []
    for f in range(n_feeds):
        zh = f % 2 == 0
        items = []
        for i in range(n_items):
            if syndicated and rng.random() < 0.03:
                title = rng.choice(syndicated) + f" - Outlet {f}"
            elif rng.random() < 0.25:
                name_zh, name_en = rng.choice(names)
                name = name_zh if (zh and name_zh) else (name_en or name_zh)
                title = rng.choice(EVENTS_ZH if zh and name_zh else EVENTS_EN).format(n=name)
                title += f" ({f}-{i})"
                if rng.random() < 0.2:
                    syndicated.append(title)
            else:
                pattern = rng.choice(GENERIC_ZH if zh else GENERIC_EN)
                title = pattern.format(m=rng.choice(["March", "April", "May"]), p=rng.choice(PLACES_ZH if zh else PLACES),
                                       k=rng.randint(2, 9)) + f" #{f}-{i}"
            published = base - timedelta(minutes=rng.randint(0, 60 * 24 * 5))
            lead = LEAD_ZH if zh else LEAD_EN
            items.append(
                f"<item><title>{escape(title)}</title><link>https://news{f}.example.com/{f}/{i}?utm_source=rss</link>"
                f"<guid>https://news{f}.example.com/{f}/{i}</guid><pubDate>{format_datetime(published)}</pubDate>"
                f"<description>&lt;p&gt;{escape(escape(title))}. {escape(lead)}&lt;/p&gt;</description></item>")
        lang = "zh-cn" if zh else "en"
        doc = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed {f}</title>'
               f"<link>https://news{f}.example.com/</link><language>{lang}</language>{''.join(items)}</channel></rss>")
        path = folder / f"feed-{f:04d}.xml"
        path.write_text(doc, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--scale", default="full", choices=["full", "small"])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--pragma", action="append", default=[],
                        help="extra SQLite PRAGMA per connection, e.g. --pragma cache_size=-200000 "
                             "--pragma wal_autocheckpoint=100000 (tuning experiments; default: riskradar.db's)")
    args = parser.parse_args(argv)

    from bench.datasets import copy_scale_db

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    t0 = time.perf_counter()
    db_path = copy_scale_db(work / "riskradar.db", args.scale)
    copy_s = time.perf_counter() - t0
    settings = load_settings(env={}, data_dir=work, database_url=f"sqlite:///{db_path}", secret_key="bench")
    db = Database(settings)
    if args.pragma:
        from sqlalchemy import event

        @event.listens_for(db.engine, "connect")
        def _extra_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            for pragma in args.pragma:
                dbapi_conn.execute(f"PRAGMA {pragma}")

    with db.scope() as s:
        n_suppliers = s.scalar(select(func.count(Supplier.id)))
        n_articles_before = s.scalar(select(func.count(Article.id)))
        rows = s.execute(select(Supplier.short_name, Supplier.name_en).order_by(Supplier.id)).all()
    names = [(zh or "", en or "") for zh, en in random.Random(args.seed).sample(rows, 3000) if zh or en]

    # Matcher build: time and memory (RSS growth; pyahocorasick allocates outside Python's heap).
    with db.scope() as s:
        rss_before = current_rss_mb()
        t0 = time.perf_counter()
        matcher = SupplierMatcher.build(s)
        build_s = time.perf_counter() - t0
        matcher_mb = current_rss_mb() - rss_before

    (work / "feeds").mkdir()
    files = generate_feeds(work / "feeds", names, args.feeds, args.items, args.seed)
    bodies = [p.read_bytes() for p in files]
    total_bytes = sum(len(b) for b in bodies)

    c0 = time.process_time()
    t0 = time.perf_counter()
    parsed_entries = sum(len(feedparser.parse(io.BytesIO(b)).entries) for b in bodies)
    parse_s = time.perf_counter() - t0
    parse_cpu_s = time.process_time() - c0

    with db.scope() as s:
        feed_ids = []
        for i in range(len(files)):
            feed = Feed(url=f"https://news{i}.example.com/rss.xml", name=f"bench {i}", next_poll_at=None)
            s.add(feed)
            s.flush()
            feed_ids.append(feed.id)

    totals = {"articles_new": 0, "articles_duplicate": 0, "articles_merged": 0, "links": 0, "entries_seen": 0}
    c0 = time.process_time()  # CPU time too: the 2 shared cores make wall time noisy
    t0 = time.perf_counter()
    commit_s = 0.0
    for feed_id, body in zip(feed_ids, bodies):
        with db.scope() as s:
            feed = s.get(Feed, feed_id)
            counts = ingest_feed_bytes(s, settings, feed, body, matcher=matcher, classify=False)
            t_commit = time.perf_counter()
        commit_s += time.perf_counter() - t_commit  # one transaction per feed, as when polling
        for key in totals:
            totals[key] += counts[key]
    ingest_s = time.perf_counter() - t0
    ingest_cpu_s = time.process_time() - c0

    # Second pass over the same files: everything is a duplicate (idempotence, dedupe speed).
    t0 = time.perf_counter()
    dup_new = 0
    for feed_id, body in zip(feed_ids, bodies):
        with db.scope() as s:
            dup_new += ingest_feed_bytes(s, settings, s.get(Feed, feed_id), body, matcher=matcher,
                                         classify=False)["articles_new"]
    rerun_s = time.perf_counter() - t0

    e2e_rate = totals["articles_new"] / ingest_s
    entries_rate = totals["entries_seen"] / ingest_s
    parse_rate = parsed_entries / parse_s
    report = {
        "scale": args.scale, "pragmas": args.pragma, "suppliers": n_suppliers, "articles_before": n_articles_before,
        "feeds": len(files), "items_per_feed": args.items, "entries": totals["entries_seen"],
        "feed_bytes": total_bytes, "db_copy_s": round(copy_s, 1),
        "matcher_build_s": round(build_s, 2), "matcher_names": matcher.names, "matcher_rss_mb": round(matcher_mb, 1),
        "ingest_s": round(ingest_s, 2), "articles_new": totals["articles_new"],
        "articles_merged": totals["articles_merged"], "links": totals["links"],
        "new_articles_per_s": round(e2e_rate, 1), "entries_per_s": round(entries_rate, 1),
        "parse_only_s": round(parse_s, 2), "parse_only_entries_per_s": round(parse_rate, 1),
        "ratio_to_parse_only": round(entries_rate / parse_rate, 3),
        "ingest_cpu_s": round(ingest_cpu_s, 2), "new_articles_per_cpu_s": round(totals["articles_new"] / ingest_cpu_s, 1),
        "parse_only_cpu_s": round(parse_cpu_s, 2),
        "ratio_to_parse_only_cpu": round((totals["entries_seen"] / ingest_cpu_s) / (parsed_entries / parse_cpu_s), 3),
        "load_avg_1m": round(__import__("os").getloadavg()[0], 2),
        "commit_s": round(commit_s, 2), "rerun_s": round(rerun_s, 2), "rerun_new_articles": dup_new,
        "peak_rss_mb": round(rss_max_rss_mb(), 1),
    }
    db.dispose()
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"ingest bench ({args.scale}: {n_suppliers:,} suppliers, {n_articles_before:,} articles already stored)"
              + (f"  pragmas: {', '.join(args.pragma)}" if args.pragma else ""))
        print(f"  matcher build           {build_s:8.2f} s   {matcher.names:,} names   +{matcher_mb:.0f} MB RSS")
        print(f"  feeds x items           {len(files)} x {args.items} = {totals['entries_seen']:,} entries "
              f"({total_bytes / 1e6:.1f} MB)")
        print(f"  end to end              {ingest_s:8.2f} s   {e2e_rate:8.0f} new articles/s "
              f"({totals['articles_new']:,} new, {totals['articles_merged']:,} merged, {totals['links']:,} links)")
        print(f"    of which commits      {commit_s:8.2f} s   (one transaction per feed)")
        print(f"  feedparser parse only   {parse_s:8.2f} s   {parse_rate:8.0f} entries/s")
        print(f"  ratio end-to-end/parse  {entries_rate / parse_rate:8.2f}  (entries/s vs entries/s)")
        print(f"  CPU time: end to end    {ingest_cpu_s:8.2f} s   {totals['articles_new'] / ingest_cpu_s:8.0f} new articles/CPU-s;"
              f" parse only {parse_cpu_s:.2f} s; ratio {report['ratio_to_parse_only_cpu']:.2f}"
              f"  (load avg {report['load_avg_1m']})")
        print(f"  re-run (all duplicate)  {rerun_s:8.2f} s   {dup_new} new")
        print(f"  peak RSS                {rss_max_rss_mb():8.0f} MB")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
