"""Generate the synthetic scale dataset every benchmark uses.

``python -m bench.generate --scale small|full [--seed N] [--out PATH]`` builds a migrated SQLite
database with (full scale) 100,000 suppliers (zh/en names, short names, aliases), 1,000,000
news articles with their sources, supplier links (a few percent) and classifier tags (a few
percent red-line), 100,000 audits with 500,000 findings, and CSR agreements for most suppliers.
``small`` is ten times smaller. The same seed gives the same database.

Rows go in with ``sqlite3.executemany`` in chunks straight after the Alembic migration (no ORM):
the full build takes a few minutes on one core. Datetimes use SQLAlchemy's SQLite storage format
(``YYYY-MM-DD HH:MM:SS.ffffff``, naive UTC), JSON columns hold JSON text, booleans 0/1, so the
ORM reads the rows back exactly as if it had written them.

Time is anchored at :data:`ANCHOR` (not "now") so the data is reproducible; the anchor is
recorded in the metadata file next to the database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from riskradar.db import migrate
from riskradar.demo.suppliers import INDUSTRIES, SupplierGenerator

GENERATOR_VERSION = 3
DEFAULT_SEED = 20261125
ANCHOR = datetime(2026, 11, 1, tzinfo=timezone.utc)
CHUNK = 50_000

SCALES: dict[str, dict[str, int]] = {
    "full": {"suppliers": 100_000, "articles": 1_000_000, "audits": 100_000, "findings": 500_000, "feeds": 300},
    "small": {"suppliers": 10_000, "articles": 100_000, "audits": 10_000, "findings": 50_000, "feeds": 60},
    # For tests of the generator itself (seconds to build).
    "tiny": {"suppliers": 500, "articles": 3_000, "audits": 200, "findings": 1_000, "feeds": 5},
}

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ANCHOR_TS = ANCHOR.timestamp()


def _dt(ts: float) -> str:
    """SQLAlchemy's SQLite DATETIME text for a UTC epoch timestamp."""
    return (_EPOCH + timedelta(seconds=ts)).strftime("%Y-%m-%d %H:%M:%S.%f")


def _d(day: date) -> str:
    return day.isoformat()


def _insert(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """executemany in chunks of :data:`CHUNK`; returns the number of rows written."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    count = 0
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            conn.executemany(sql, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.executemany(sql, chunk)
        count += len(chunk)
    conn.commit()
    return count


def _title_key_func() -> Callable[[str], str]:
    """The feeds helper's title fingerprint when available, so de-duplication sees real keys."""
    try:
        from scrapers.feeds import sha256_hex, title_fingerprint
    except ImportError:  # the generator must not depend on the ingest code being present
        return lambda title: hashlib.sha256(("title:" + title.lower()).encode()).hexdigest()

    def key(title: str) -> str:
        fp = title_fingerprint(title)
        return sha256_hex("title:" + fp) if fp else sha256_hex("entry:" + title)

    return key


# --- news vocabulary -------------------------------------------------------------------------
_ZH_GENERIC = [
    "{city}{ind}行业{m}月出口同比增长{p}%", "{province}出台稳外贸新举措 支持{ind}企业拓展海外市场",
    "{city}港集装箱吞吐量{m}月创新高", "原材料价格波动 {city}{ind}企业利润承压",
    "{province}{ind}产业集群数字化转型调查", "海运运价连续{p}周回落 {city}出口企业受益",
    "{city}举办{ind}产业博览会 签约项目{p}个", "{province}发布{ind}行业安全生产专项整治方案",
    "{ind}上市公司三季度业绩分化 {p}家净利增长", "{city}工业用电负荷创新高 部分企业错峰生产",
]
_EN_GENERIC = [
    "{country} {ind} exports rise {p}% in month {m}", "Port congestion eases at {city} as volumes recover",
    "{ind} makers face rising input costs, survey finds", "{country} raises minimum wage by {p}% from next year",
    "Freight rates fall for {p}th straight week on Asia-Europe lanes", "{ind} sector sees {p} new factory projects in {country}",
    "Trade fair in {city} draws record {ind} buyers", "{country} central bank holds rates; {ind} orders steady",
    "Analysts expect {ind} demand to recover in Q{q}", "New customs rules for {ind} imports take effect in {country}",
]
_ZH_EVENT = {
    "fire": ["{who}厂房突发火灾 {p}名工人受伤", "{who}仓库起火 消防部门已介入调查", "{who}发生爆炸事故 造成{p}人死亡",
             "{who}宿舍楼火灾 暴露消防隐患"],
    "child_labour": ["{who}被曝使用童工 当地劳动部门介入", "媒体调查：{who}违规使用学生工顶岗", "{who}雇佣未成年工被罚款{p}万元"],
    "forced_labour": ["{who}被指扣押工人身份证 强迫加班", "{who}涉嫌强迫劳动 工人无法离职", "调查发现{who}存在抵债劳动"],
    "bribery": ["{who}高管涉嫌商业贿赂被立案调查", "{who}采购负责人收受回扣{p}万元被判刑", "{who}行贿案一审宣判"],
    "wages_hours": ["{who}拖欠工人工资{p}个月 工人集体讨薪", "{who}员工反映每月超时加班超{p}小时"],
    "health_safety": ["{who}发生机械伤害事故 {p}人工伤", "{who}职业病危害检测不合格被责令整改"],
    "environment": ["{who}超标排放废水被环保部门处罚", "{who}因环境污染问题被责令停产整顿"],
    "discrimination": ["{who}招聘涉嫌性别歧视被投诉", "{who}员工举报遭受职场骚扰"],
}
_EN_EVENT = {
    "fire": ["Fire breaks out at {who} factory, {p} workers injured", "Blaze destroys {who} warehouse",
             "Explosion at {who} plant kills {p}", "Dormitory fire at {who} exposes safety violations"],
    "child_labour": ["{who} accused of using child labour", "Under-age workers found at {who} site, inspectors say",
                     "Student interns forced to work night shifts at {who}"],
    "forced_labour": ["Workers at {who} say passports were withheld", "{who} linked to forced labour in audit report",
                      "Report alleges bonded labour at {who} facility"],
    "bribery": ["{who} executive charged with bribery", "Prosecutors probe kickbacks at {who}",
                "{who} manager jailed for taking bribes from buyers"],
    "wages_hours": ["{who} workers protest unpaid wages", "Excessive overtime reported at {who}"],
    "health_safety": ["{p} workers injured in machine accident at {who}", "{who} fined over occupational safety lapses"],
    "environment": ["{who} fined for illegal wastewater discharge", "Regulator orders {who} to halt polluting line"],
    "discrimination": ["{who} faces complaint over gender discrimination in hiring", "Harassment claims at {who} investigated"],
}
_ZH_SUPPLIER_NEWS = ["{who}获得{p}万元新订单", "{who}新工厂正式投产", "{who}荣获{province}专精特新企业称号", "{who}扩建生产线"]
_EN_SUPPLIER_NEWS = ["{who} wins new order worth {p} million", "{who} opens new plant", "{who} named supplier of the year",
                     "{who} expands production capacity"]
_ZH_WHO_GENERIC = ["一家{city}{ind}工厂", "{city}某{ind}企业", "{province}一家代工厂"]
_EN_WHO_GENERIC = ["a {ind} factory in {city}", "a {country} {ind} supplier", "an unnamed contractor in {city}"]
_RED = ("child_labour", "forced_labour", "bribery", "fire")
_SECONDARY = ("wages_hours", "health_safety", "environment", "discrimination")
_ZH_PLACES = [("深圳", "广东"), ("东莞", "广东"), ("苏州", "江苏"), ("宁波", "浙江"), ("泉州", "福建"), ("青岛", "山东"),
              ("重庆", "重庆"), ("义乌", "浙江"), ("佛山", "广东"), ("昆山", "江苏")]
_EN_PLACES = [("Ho Chi Minh City", "Vietnam"), ("Dhaka", "Bangladesh"), ("Shenzhen", "China"), ("Chennai", "India"),
              ("Monterrey", "Mexico"), ("Istanbul", "Turkey"), ("Bangkok", "Thailand"), ("Jakarta", "Indonesia"),
              ("Penang", "Malaysia"), ("Phnom Penh", "Cambodia")]
_ZH_IND = [w[0] for spec in INDUSTRIES.values() for w in spec[1][:1]]
_EN_IND = [k.replace("_", " ") for k in INDUSTRIES]


class ScaleBuilder:
    """Writes one scale dataset into a freshly migrated SQLite file."""

    def __init__(self, path: Path, scale: str, seed: int, *, log: Callable[[str], None] = print) -> None:
        self.path = path
        self.counts = dict(SCALES[scale])
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = log
        self.title_key = _title_key_func()
        self.suppliers: list[dict[str, Any]] = []

    def build(self) -> dict[str, Any]:
        """Migrate, fill every table, return the metadata (counts, seed, anchor, seconds)."""
        started = time.perf_counter()
        migrate(f"sqlite:///{self.path}")
        conn = sqlite3.connect(self.path)
        # A throw-away build file: no journal, no fsync (the file is renamed into place at the end).
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-200000")
        conn.execute("PRAGMA foreign_keys=OFF")
        written: dict[str, int] = {}
        try:
            for name, step in (("suppliers", self._suppliers), ("feeds", self._feeds),
                               ("articles", self._articles), ("audits", self._audits),
                               ("agreements", self._agreements)):
                t0 = time.perf_counter()
                written.update(step(conn))
                self.log(f"  {name}: {time.perf_counter() - t0:.1f}s")
            conn.execute("ANALYZE")
            conn.commit()
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        return {
            "scale": self.scale, "seed": self.seed, "generator_version": GENERATOR_VERSION,
            "anchor": ANCHOR.isoformat(), "rows": written,
            "build_seconds": round(time.perf_counter() - started, 1),
        }

    # -- suppliers --------------------------------------------------------------------------
    def _suppliers(self, conn: sqlite3.Connection) -> dict[str, int]:
        self.suppliers = SupplierGenerator(self.seed).generate(self.counts["suppliers"])
        ref_to_id = {row["external_ref"]: i + 1 for i, row in enumerate(self.suppliers)}
        created = _dt(_ANCHOR_TS - 400 * 86400)
        cols = ("id", "external_ref", "name_zh", "name_en", "short_name", "aliases", "country", "region",
                "industry", "products", "annual_spend", "currency", "criticality", "tier_level", "parent_id",
                "status", "contact_email", "needs_rescore", "created_at", "updated_at")

        def rows() -> Iterator[tuple[Any, ...]]:
            for i, r in enumerate(self.suppliers):
                yield (i + 1, r["external_ref"], r["name_zh"] or None, r["name_en"] or None, r["short_name"] or None,
                       json.dumps(r["aliases"], ensure_ascii=False), r["country"], r["region"] or None,
                       r["industry"], r["products"], r["annual_spend"] if r["annual_spend"] != "" else None,
                       r["currency"], r["criticality"], r["tier_level"], ref_to_id.get(r["parent_ref"]),
                       r["status"], r["contact_email"] or None, 1, created, created)

        return {"suppliers": _insert(conn, "suppliers", cols, rows())}

    def _feeds(self, conn: sqlite3.Connection) -> dict[str, int]:
        n = self.counts["feeds"]
        now = _dt(_ANCHOR_TS)
        cols = ("id", "url", "name", "lang", "kind", "credibility", "poll_interval_minutes", "enabled",
                "consecutive_failures", "created_at", "updated_at", "last_polled_at", "last_success_at")
        rows = [(i + 1, f"https://news{i + 1}.example.org/rss.xml", f"Example News {i + 1}",
                 "zh" if i % 2 == 0 else "en", "static", round(self.rng.uniform(0.4, 1.0), 2), 30, 1, 0,
                 now, now, now, now) for i in range(n)]
        return {"feeds": _insert(conn, "feeds", cols, rows)}

    # -- articles ---------------------------------------------------------------------------
    def _articles(self, conn: sqlite3.Connection) -> dict[str, int]:
        rng = self.rng
        n = self.counts["articles"]
        n_feeds = self.counts["feeds"]
        zh_names = [(i + 1, s["short_name"] if rng.random() < 0.5 else s["name_zh"])
                    for i, s in enumerate(self.suppliers) if s["name_zh"]]
        en_names = [(i + 1, s["short_name"] if not s["name_zh"] and rng.random() < 0.3 else s["name_en"])
                    for i, s in enumerate(self.suppliers) if s["name_en"]]
        span = 730 * 86400  # two years of news before the anchor
        model = "bench-1"
        art_cols = ("id", "title", "summary", "url", "lang", "published_at", "fetched_at", "title_key",
                    "source_count", "classified_at", "model_version", "linked_at")
        src_cols = ("article_id", "feed_id", "entry_key", "guid", "url", "title", "seen_at")
        link_cols = ("article_id", "supplier_id", "matched_text", "field", "span_start", "span_end", "confidence")
        tag_cols = ("article_id", "label", "probability", "decided", "evidence", "model_version", "review_status")
        sources: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        tags: list[tuple[Any, ...]] = []
        totals = {"articles": 0, "article_sources": 0, "article_supplier_links": 0, "article_tags": 0}

        def flush_children() -> None:
            totals["article_sources"] += _insert(conn, "article_sources", src_cols, sources)
            totals["article_supplier_links"] += _insert(conn, "article_supplier_links", link_cols, links)
            totals["article_tags"] += _insert(conn, "article_tags", tag_cols, tags)
            sources.clear()
            links.clear()
            tags.clear()

        def articles() -> Iterator[tuple[Any, ...]]:
            for aid in range(1, n + 1):
                zh = rng.random() < 0.5
                city, province = rng.choice(_ZH_PLACES)
                en_city, country = rng.choice(_EN_PLACES)
                fill = {"city": city if zh else en_city, "province": province, "country": country,
                        "ind": rng.choice(_ZH_IND if zh else _EN_IND), "p": rng.randint(2, 98),
                        "m": rng.randint(1, 12), "q": rng.randint(1, 4)}
                roll = rng.random()
                label = None
                linked: list[tuple[int, str]] = []
                if roll < 0.03:
                    label = rng.choice(_RED)
                elif roll < 0.05:
                    label = rng.choice(_SECONDARY)
                if label is not None or roll < 0.07:
                    # Events name a supplier half of the time; supplier news always does.
                    if roll >= 0.05 or rng.random() < 0.5:
                        linked.append(rng.choice(zh_names if zh else en_names))
                        if rng.random() < 0.1:
                            linked.append(rng.choice(zh_names if zh else en_names))
                if linked:
                    who = ("与".join if zh else " and ".join)(name for _, name in linked)
                else:
                    who = rng.choice(_ZH_WHO_GENERIC if zh else _EN_WHO_GENERIC).format(**fill)
                fill["who"] = who
                if label is not None:
                    template = rng.choice((_ZH_EVENT if zh else _EN_EVENT)[label])
                elif linked:
                    template = rng.choice(_ZH_SUPPLIER_NEWS if zh else _EN_SUPPLIER_NEWS)
                else:
                    template = rng.choice(_ZH_GENERIC if zh else _EN_GENERIC)
                title = template.format(**fill)
                if not zh:
                    title = title[0].upper() + title[1:]
                published = _ANCHOR_TS - span + span * (aid - rng.random()) / n
                pub, fetched = _dt(published), _dt(published + rng.uniform(60, 7200))
                url = f"https://news{rng.randint(1, n_feeds)}.example.org/{aid:07d}.html"
                n_sources = 1 if rng.random() < 0.9 else 2
                for k in range(n_sources):
                    feed = rng.randint(1, n_feeds)
                    guid = url if k == 0 else f"https://syndication{feed}.example.net/item/{aid}"
                    sources.append((aid, feed, hashlib.sha256(("guid:" + guid).encode()).hexdigest(), guid,
                                    guid, title, fetched))
                for sid, name in linked:
                    start = title.find(name)
                    links.append((aid, sid, name, "title", max(start, 0), max(start, 0) + len(name), 1.0))
                if label is not None:
                    prob = round(rng.uniform(0.6, 0.99), 3)
                    cue = title[:12]
                    evidence = json.dumps([{"text": cue, "start": 0, "end": len(cue), "weight": round(prob * 2, 2)}],
                                          ensure_ascii=False)
                    tags.append((aid, label, prob, 1, evidence, model, "unreviewed"))
                elif rng.random() < 0.01:  # near-misses below threshold, as a real classifier leaves them
                    tags.append((aid, rng.choice(_RED), round(rng.uniform(0.2, 0.5), 3), 0, "[]", model,
                                 "unreviewed"))
                summary = (f"{title}。" if zh else f"{title}. ") + ("详情请见原文。" if zh else "Full story at the source.")
                yield (aid, title, summary, url, "zh" if zh else "en", pub, fetched, self.title_key(title),
                       n_sources, fetched, model, fetched)
                if len(sources) >= CHUNK:
                    flush_children()

        sql = f"INSERT INTO articles ({', '.join(art_cols)}) VALUES ({', '.join('?' * len(art_cols))})"
        chunk: list[tuple[Any, ...]] = []
        for row in articles():
            chunk.append(row)
            if len(chunk) >= CHUNK:
                conn.executemany(sql, chunk)
                totals["articles"] += len(chunk)
                chunk = []
        if chunk:
            conn.executemany(sql, chunk)
            totals["articles"] += len(chunk)
        # Children reference their article, so they go in after it is written (same transaction).
        flush_children()
        conn.commit()
        return totals

    # -- audits -----------------------------------------------------------------------------
    def _audits(self, conn: sqlite3.Connection) -> dict[str, int]:
        rng = self.rng
        n_audits, n_findings = self.counts["audits"], self.counts["findings"]
        n_sup = len(self.suppliers)
        audited = rng.sample(range(1, n_sup + 1), k=int(n_sup * 0.6))
        per_audit = [rng.randint(0, 10) for _ in range(n_audits)]
        diff = n_findings - sum(per_audit)
        while diff:  # make the total exact
            j = rng.randrange(n_audits)
            step = 1 if diff > 0 else -1
            if per_audit[j] + step >= 0:
                per_audit[j] += step
                diff -= step
        schemes = (("rba", 18), ("smeta", 20), ("bsci", 20), ("sa8000", 8), ("customer", 14), ("internal", 10),
                   ("sme", 6), ("ipc1401", 4))
        categories = (("health_safety", 30), ("wages_hours", 25), ("management_system", 15), ("environment", 12),
                      ("other", 8), ("fire", 4), ("discrimination", 3), ("forced_labour", 1.2),
                      ("child_labour", 0.5), ("bribery", 0.6))
        s_names, s_w = [s for s, _ in schemes], [w for _, w in schemes]
        c_names, c_w = [c for c, _ in categories], [w for _, w in categories]
        anchor_day = ANCHOR.date()
        now = _dt(_ANCHOR_TS)
        audit_rows: list[tuple[Any, ...]] = []
        finding_rows: list[tuple[Any, ...]] = []
        a_cols = ("id", "external_ref", "supplier_id", "scheme", "scheme_raw", "audit_type", "audit_date", "auditor",
                  "score", "score_max", "grade", "result", "valid_until", "raw", "created_at", "updated_at")
        f_cols = ("audit_id", "supplier_id", "finding_ref", "category", "category_raw", "severity", "severity_raw",
                  "description", "status", "cap_due_date", "closed_date", "created_at", "updated_at")
        totals = {"audits": 0, "audit_findings": 0}
        for aid in range(1, n_audits + 1):
            sid = rng.choice(audited)
            scheme = rng.choices(s_names, weights=s_w)[0]
            day = anchor_day - timedelta(days=rng.randint(0, 3 * 365))
            score = score_max = grade = None
            result = rng.choices(("pass", "conditional", "fail"), weights=(60, 30, 10))[0]
            if scheme == "rba":
                score, score_max = float(rng.randint(60, 200)), 200.0
            elif scheme == "bsci":
                grade = rng.choices("ABCDE", weights=(10, 30, 35, 18, 7))[0]
            elif scheme == "sa8000":
                result = "certified" if rng.random() < 0.8 else "not_certified"
            elif scheme == "sme":
                score, score_max = float(rng.randint(300, 990)), 1000.0
            elif scheme in ("customer", "internal"):
                score, score_max = float(rng.randint(40, 100)), 100.0
            audit_rows.append((aid, f"AUD-{aid:07d}", sid, scheme, scheme.upper(), "initial" if rng.random() < 0.7
                               else "follow_up", _d(day), rng.choice(("SGS", "Bureau Veritas", "Intertek", "TÜV SÜD",
                                                                       "UL", "ELEVATE", "内部审核组")),
                               score, score_max, grade, result, _d(day + timedelta(days=730)), "{}", now, now))
            for k in range(per_audit[aid - 1]):
                cat = rng.choices(c_names, weights=c_w)[0]
                if cat in _RED:
                    sev = rng.choices(("zero_tolerance", "major", "minor"), weights=(40, 40, 20))[0]
                else:
                    sev = rng.choices(("major", "minor", "observation"), weights=(25, 50, 25))[0]
                age = (anchor_day - day).days
                closed = rng.random() < (0.75 if age > 180 else 0.35)
                due = day + timedelta(days=rng.choice((30, 60, 90)))
                finding_rows.append((aid, sid, f"F{k + 1}", cat, cat, sev, sev, f"{cat} finding {k + 1}",
                                     "closed" if closed else "open", _d(due),
                                     _d(due - timedelta(days=rng.randint(0, 25))) if closed else None, now, now))
            if len(finding_rows) >= CHUNK:
                totals["audits"] += _insert(conn, "audits", a_cols, audit_rows)
                totals["audit_findings"] += _insert(conn, "audit_findings", f_cols, finding_rows)
                audit_rows, finding_rows = [], []
        totals["audits"] += _insert(conn, "audits", a_cols, audit_rows)
        totals["audit_findings"] += _insert(conn, "audit_findings", f_cols, finding_rows)
        return totals

    def _agreements(self, conn: sqlite3.Connection) -> dict[str, int]:
        rng = self.rng
        anchor_day = ANCHOR.date()
        now = _dt(_ANCHOR_TS)
        cols = ("supplier_id", "version", "status", "signed_date", "expiry_date", "clauses_acknowledged",
                "training_completed", "training_date", "created_at", "updated_at")

        def rows() -> Iterator[tuple[Any, ...]]:
            for sid in range(1, len(self.suppliers) + 1):
                if rng.random() >= 0.85:
                    continue  # ~15% have no agreement at all
                status = rng.choices(("signed", "pending", "expired", "refused"), weights=(70, 15, 10, 5))[0]
                signed = expiry = None
                clauses: list[str] = []
                if status in ("signed", "expired"):
                    signed = anchor_day - timedelta(days=rng.randint(0 if status == "signed" else 1100, 1400
                                                                       if status == "expired" else 1000))
                    expiry = signed + timedelta(days=3 * 365)
                    clauses = list(_RED) if rng.random() < 0.85 else rng.sample(_RED, k=rng.randint(1, 3))
                trained = status == "signed" and rng.random() < 0.6
                yield (sid, rng.choice(("2023.1", "2024.1", "2025.1")), status, _d(signed) if signed else None,
                       _d(expiry) if expiry else None, json.dumps(clauses), 1 if trained else 0,
                       _d(signed + timedelta(days=30)) if trained and signed else None, now, now)

        return {"agreements": _insert(conn, "agreements", cols, rows())}


def build(path: Path, scale: str = "small", seed: int = DEFAULT_SEED, *,
          log: Callable[[str], None] = print) -> dict[str, Any]:
    """Build the ``scale`` dataset into ``path`` (must not exist); return its metadata."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return ScaleBuilder(path, scale, seed, log=log).build()


def main(argv: list[str] | None = None) -> int:
    """CLI: build (or reuse) the cached dataset and print its path and row counts."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="rebuild even when a cached copy exists")
    args = parser.parse_args(argv)
    from bench.datasets import scale_db, scale_meta

    path = scale_db(args.scale, seed=args.seed, rebuild=args.force)
    print(json.dumps({"path": str(path), **scale_meta(args.scale, seed=args.seed)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
