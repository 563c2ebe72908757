"""Benchmark: import 100,000 audit findings (target: under 30 s) on SQLite, then re-import.

    .venv/bin/python -m bench.bench_audit_import [--findings 100000 --per-audit 5 --format csv|json|xlsx --json]

A fresh migrated SQLite database gets 10,000 suppliers; a file with ``--findings`` findings
(``--per-audit`` per audit, schemes and raw wordings mixed, English and Chinese) is imported
through ``scrapers.audits.import_audits`` (parse, validate, normalise, upsert, retain original),
committed, then imported again (the idempotent path: every row unchanged). Prints seconds,
findings/s and peak RSS (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from riskradar.db import Database
from riskradar.domain.audits import AuditFinding
from riskradar.domain.suppliers import Supplier
from riskradar.settings import load_settings
from scrapers.audits import import_audits

SCHEMES = [("RBA VAP", ["Priority", "Major", "Minor"], 200), ("SMETA", ["Non-compliance", "Observation"], None),
           ("amfori BSCI", ["E", "D", "C", "zero tolerance"], None), ("SA8000", ["Major NC", "Minor NC"], None),
           ("客户审核", ["严重", "一般", "观察", "零容忍"], 100), ("IPC-1401", ["Nonconformity", "OFI"], 100)]
CATEGORIES = ["Working hours", "Wages and benefits", "Health & Safety", "Fire safety", "Environment", "工时", "消防",
              "职业健康", "环境", "管理体系", "Child labour", "强迫劳动", "Business ethics", "Discrimination"]
HEADER = ["audit_ref", "supplier_ref", "scheme", "audit_date", "auditor", "score", "finding_ref", "category",
          "severity", "description", "status", "cap_due_date"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_rows(n_findings: int, per_audit: int, n_suppliers: int, seed: int = 5) -> list[list[Any]]:
    rng = random.Random(seed)
    rows = []
    start = date(2023, 1, 1)
    for i in range(n_findings // per_audit):
        scheme, severities, top = rng.choice(SCHEMES)
        audit_date = start + timedelta(days=rng.randint(0, 700))
        score = rng.randint(int(top * 0.5), top) if top else ""
        supplier = f"BS-{rng.randint(1, n_suppliers):06d}"
        for k in range(1, per_audit + 1):
            rows.append([f"BA-{i:07d}", supplier, scheme, audit_date.isoformat(), "Bench Audits Ltd", score, f"F{k}",
                         rng.choice(CATEGORIES), rng.choice(severities), "Finding text for the benchmark " * 2,
                         rng.choice(["open", "closed"]), (audit_date + timedelta(days=60)).isoformat()])
    return rows


def write_file(rows: list[list[Any]], path: Path, fmt: str) -> Path:
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
    elif fmt == "json":
        audits: dict[str, dict[str, Any]] = {}
        for r in rows:
            audit = audits.setdefault(r[0], dict(zip(HEADER[:6], r[:6]), findings=[]))
            audit["findings"].append(dict(zip(HEADER[6:], r[6:])))
        path.write_text(json.dumps(list(audits.values()), ensure_ascii=False), encoding="utf-8")
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("findings_flat")
        ws.append(HEADER)
        for r in rows:
            ws.append(r)
        wb.save(path)
    return path


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--per-audit", type=int, default=5)
    parser.add_argument("--suppliers", type=int, default=10_000)
    parser.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="rr-bench-audits-") as tmp:
        tmp_path = Path(tmp)
        settings = load_settings(env={}, data_dir=tmp_path / "data", secret_key="bench")
        db = Database(settings)
        db.migrate()
        with db.scope() as session:
            session.execute(insert(Supplier), [
                {"external_ref": f"BS-{i:06d}", "name_en": f"Bench Supplier {i}", "country": "CN",
                 "needs_rescore": False} for i in range(1, args.suppliers + 1)])
        rows = make_rows(args.findings, args.per_audit, args.suppliers)
        t0 = time.perf_counter()
        path = write_file(rows, tmp_path / f"audits.{args.format}", args.format)
        write_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6

        t0 = time.perf_counter()
        with db.scope() as session:
            first = import_audits(session, settings, path, source="bench").summary()
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with db.scope() as session:
            again = import_audits(session, settings, path, source="bench").summary()
        again_s = time.perf_counter() - t0
        with db.scope() as session:
            stored = session.scalar(select(func.count()).select_from(AuditFinding))
        db.dispose()

    result = {
        "benchmark": "audit_import", "backend": "sqlite", "format": args.format, "findings": len(rows),
        "audits": len(rows) // args.per_audit, "file_mb": round(size_mb, 1), "write_file_s": round(write_s, 2),
        "import_s": round(first_s, 2), "findings_per_s": round(len(rows) / first_s),
        "reimport_s": round(again_s, 2), "reimport_findings_per_s": round(len(rows) / again_s),
        "stored_findings": stored, "first_status": first["status"], "first_created": first["created"],
        "reimport_unchanged": again["unchanged"], "rejected": first["rejected"],
        "peak_rss_mb": round(peak_rss_mb(), 1), "target_s": 30,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"audit import ({args.format}, SQLite): {result['findings']:,} findings in {result['audits']:,} audits, "
              f"{result['file_mb']} MB")
        print(f"  first import : {first_s:6.2f} s  {result['findings_per_s']:>8,} findings/s  "
              f"(target < 30 s; created {first['created']:,}, rejected {first['rejected']})")
        print(f"  re-import    : {again_s:6.2f} s  {result['reimport_findings_per_s']:>8,} findings/s  "
              f"(unchanged {again['unchanged']:,})")
        print(f"  peak RSS     : {result['peak_rss_mb']} MB")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
