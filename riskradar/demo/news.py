"""Demo news: bilingual stories served as RSS/Atom by the app itself, revealed over time.

The demo must exercise the real path (HTTP fetch -> parse -> de-duplicate -> link -> classify ->
score -> alert), so nothing here writes articles. :func:`register_demo_feeds` picks a few demo
suppliers (deterministically), writes a manifest of stories with a *reveal offset* each plus the
complete feed files under ``data_dir/demo/``, and registers feeds pointing at
``settings.base_url + "/demo/feeds/<name>.xml"``. The blueprint in ``riskradar.web.demo_feeds``
serves, at each request, only the items whose offset has passed since the first request (the
start time is then saved in the manifest, so a restart does not replay the drip), so red-line
stories keep arriving for ``settings.demo_drip_minutes``.

Fetching the app's own host needs the SSRF allow-list: :func:`riskradar.ingest.effective_allow_hosts`
adds the ``base_url`` host in demo mode only; the guard itself is unchanged.
"""

from __future__ import annotations

import hashlib
import hmac

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Sequence
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar.domain.suppliers import Supplier
from riskradar.settings import Settings

# name -> (title, language, format)
DEMO_FEEDS: dict[str, tuple[str, str, str]] = {
    "huanan-industry": ("华南产业观察", "zh", "rss"),
    "gongren-ribao": ("工人权益日报", "zh", "rss"),
    "supply-chain-wire": ("Supply Chain Wire", "en", "atom"),
    "asia-business-daily": ("Asia Business Daily", "en", "rss"),
    "labour-rights-monitor": ("Labour Rights Monitor", "en", "atom"),
    "caijing-kuaixun": ("财经快讯", "zh", "rss"),
}
CREDIBILITY = {"huanan-industry": 0.7, "gongren-ribao": 0.8, "supply-chain-wire": 0.8,
               "asia-business-daily": 0.75, "labour-rights-monitor": 0.85, "caijing-kuaixun": 0.6}


@dataclass(frozen=True)
class DemoItem:
    """One story in one demo feed; ``reveal_seconds`` after the start it becomes visible."""

    key: str
    feed: str
    title: str
    summary: str
    reveal_seconds: int
    published_offset_hours: float  # relative to the reveal time (negative: older backlog)


@dataclass(frozen=True)
class DemoSupplier:
    """The names a demo story may use for one supplier."""

    name_zh: str
    short_name: str
    name_en: str


# Red-line and hard-negative stories. {zh} full Chinese name, {short} short name, {en} English name.
# (key, feeds syndicating it, zh or en, title template, summary template, supplier index, drip slot)
_EVENTS: list[tuple[str, tuple[str, ...], str, str, str, int, int]] = [
    ("fire", ("huanan-industry", "gongren-ribao", "caijing-kuaixun", "asia-business-daily"), "zh",
     "{zh}厂房凌晨起火 两名工人送医",
     "据当地消防部门通报，{zh}位于工业园的一栋厂房凌晨发生火灾，明火已被扑灭，两名夜班工人吸入烟雾后送医。"
     "初步调查显示，部分安全出口被堆放的纸箱堵塞。", 0, 1),
    ("child_labour", ("labour-rights-monitor", "supply-chain-wire"), "en",
     "Investigators find underage workers at {en} plant",
     "A labour inspection at a factory run by {en} found fifteen workers aged 14 and 15 on the assembly line, "
     "hired through a dispatch agency with borrowed identity cards.", 1, 2),
    ("bribery", ("caijing-kuaixun", "huanan-industry"), "zh",
     "{short}采购经理涉嫌商业贿赂被立案调查",
     "市场监管部门通报，{zh}两名采购经理涉嫌收受供应商回扣、向验厂人员行贿，案件已移交公安机关。", 2, 3),
    ("forced_labour", ("labour-rights-monitor", "asia-business-daily", "supply-chain-wire"), "en",
     "Workers at {en} say passports were withheld and overtime was compulsory",
     "Migrant workers employed by {en} told researchers their passports were held by the company and that "
     "they could not leave before repaying recruitment fees; the company has promised an independent audit.", 3, 4),
    ("fire_zh_2", ("gongren-ribao",), "zh",
     "{short}仓库火灾致一人死亡 消防通道被占用",
     "{zh}下属仓库发生火灾造成一人死亡，应急管理局认定企业存在消防通道被占用、未组织消防演练等问题。", 4, 6),
    # Hard negatives: the supplier is named, red-line words appear, but nothing bad happened.
    ("drill", ("huanan-industry",), "zh",
     "{short}举行年度消防演练 千名员工有序疏散",
     "{zh}联合消防救援站开展应急疏散演练，参加员工一千余人，演练历时二十分钟。", 5, 5),
    ("award", ("supply-chain-wire",), "en",
     "{en} recognised for anti-bribery compliance programme",
     "{en} received an industry award for its supplier code of conduct training on anti-bribery and "
     "responsible recruitment.", 0, 7),
    ("expansion", ("caijing-kuaixun", "asia-business-daily"), "zh",
     "{short}新建智能工厂投产 年产能提升三成",
     "{zh}在东莞的新工厂正式投产，新增就业岗位八百个，公司表示将继续推进自动化改造。", 1, 0),
]

_NEUTRAL_ZH = [
    ("一季度珠三角电子制造业订单回暖", "行业协会数据显示，一季度珠三角电子制造企业新增订单环比增长6%，出口集装箱运价小幅回落。"),
    ("长三角纺织企业加快绿色印染改造", "多家纺织企业投资建设中水回用设施，单位产品能耗下降约一成。"),
    ("人民币汇率波动 外贸企业加强套期保值", "多家出口企业表示，将通过远期结汇锁定汇率风险。"),
    ("港口集装箱吞吐量同比增长", "上月主要港口集装箱吞吐量同比增长4.2%，航运市场趋于平稳。"),
    ("新版安全生产法实施一周年 企业合规培训升温", "各地应急管理部门组织企业负责人参加安全生产培训，重点讲解主体责任。"),
    ("家具出口企业布局东南亚产能", "受订单结构变化影响，部分家具企业在越南、马来西亚新设工厂。"),
    ("光伏组件价格企稳 产业链库存下降", "多晶硅价格连续三周持平，组件企业开工率回升。"),
    ("玩具行业迎来圣诞订单旺季", "义乌、汕头等地玩具企业订单排产已至年底，部分企业临时增加班次。"),
    ("东莞举办供应链数字化论坛", "论坛聚焦采购协同与供应商管理系统，百余家制造企业参加。"),
    ("汽车零部件企业加码新能源配套", "多家零部件企业宣布扩建线束和电池结构件产线。"),
    ("快递物流企业推出绿色包装方案", "可循环快递箱在多个城市试点，包装材料用量下降。"),
    ("中小企业融资成本继续下降", "央行数据显示，小微企业贷款加权平均利率创历史新低。"),
]
_NEUTRAL_EN = [
    ("Container freight rates ease for a third straight week", "Spot rates on Asia-Europe routes fell 3% as capacity returned."),
    ("Electronics exporters report steadier orders", "Survey data show new export orders stabilising after a weak winter."),
    ("Retailers push suppliers on traceability of cotton", "Brands are asking tier-2 mills for chain-of-custody documents."),
    ("Vietnam attracts new footwear investment", "Several shoe makers announced plants in the north of the country."),
    ("Battery makers cut prices as lithium costs fall", "Cell prices dropped to a two-year low, analysts said."),
    ("Port congestion clears ahead of peak season", "Average vessel waiting times fell below one day."),
    ("EU due diligence rules: what suppliers should prepare", "Buyers will ask for grievance mechanisms and audit evidence."),
    ("Packaging firms invest in recycled fibre", "Demand for recycled cartons keeps rising among consumer brands."),
    ("Toy makers see early holiday orders", "Factories in southern China report full order books until December."),
    ("Auto parts suppliers shift to electric platforms", "Wire-harness makers are adding capacity for EV programmes."),
]


def pick_demo_suppliers(session: Session | None, n: int = 6) -> list[DemoSupplier]:
    """``n`` suppliers with Chinese, short and English names, chosen deterministically.

    From the database when it has suitable suppliers (active, largest spend first, ties by
    reference); otherwise from the demo supplier generator (same seed as ``riskradar demo``).
    """
    picks: list[DemoSupplier] = []
    if session is not None:
        rows = session.execute(
            select(Supplier.name_zh, Supplier.short_name, Supplier.name_en)
            .where(Supplier.status == "active", Supplier.name_zh.is_not(None), Supplier.name_zh != "",
                   Supplier.name_en.is_not(None), Supplier.name_en != "", Supplier.country == "CN")
            .order_by(Supplier.annual_spend.desc().nulls_last(), Supplier.external_ref)
            .limit(n * 3)
        ).all()
        picks = _usable([DemoSupplier(zh, short or zh, en) for zh, short, en in rows], n)
    if len(picks) < n:
        from riskradar.demo.suppliers import generate_suppliers

        rows = sorted((r for r in generate_suppliers(2400, 7) if r["status"] == "active" and r["country"] == "CN"
                       and r["name_zh"] and r["name_en"]),
                      key=lambda r: (-(r["annual_spend"] or 0), r["external_ref"]))
        picks = _usable(picks + [DemoSupplier(r["name_zh"], r["short_name"] or r["name_zh"], r["name_en"])
                                 for r in rows[: n * 3]], n)
    return picks


def _usable(candidates: Sequence[DemoSupplier], n: int) -> list[DemoSupplier]:
    """Distinct suppliers whose short names the entity linker will actually match."""
    from riskradar.linking import name_variants

    out: list[DemoSupplier] = []
    shorts: set[str] = set()
    for cand in candidates:
        if cand.short_name in shorts or not name_variants(cand.short_name) or not name_variants(cand.name_en):
            continue
        shorts.add(cand.short_name)
        out.append(cand)
        if len(out) == n:
            break
    return out


def build_items(suppliers: Sequence[DemoSupplier], drip_minutes: int) -> list[DemoItem]:
    """All demo items: a backlog visible at once, then red-line stories spread over the drip period."""
    items: list[DemoItem] = []
    drip = max(60, drip_minutes * 60)
    slots = 8
    feeds_zh = [f for f, (_, lang, _) in DEMO_FEEDS.items() if lang == "zh"]
    feeds_en = [f for f, (_, lang, _) in DEMO_FEEDS.items() if lang == "en"]
    for i, (title, summary) in enumerate(_NEUTRAL_ZH):
        reveal = 0 if i < 8 else drip * (i - 7) // 6
        items.append(DemoItem(f"zh-{i}", feeds_zh[i % len(feeds_zh)], title, summary, reveal, -6.0 * (i + 1)))
    for i, (title, summary) in enumerate(_NEUTRAL_EN):
        reveal = 0 if i < 7 else drip * (i - 6) // 5
        items.append(DemoItem(f"en-{i}", feeds_en[i % len(feeds_en)], title, summary, reveal, -5.0 * (i + 1)))
    if not suppliers:
        return items
    for key, feeds, _lang, title_t, summary_t, who, slot in _EVENTS:
        sup = suppliers[who % len(suppliers)]
        names = {"zh": sup.name_zh, "short": sup.short_name, "en": sup.name_en}
        title = title_t.format(**names)
        summary = summary_t.format(**names)
        base = 0 if slot == 0 else drip * slot // slots
        for j, feed in enumerate(feeds):
            # Syndicated copies arrive a little later, with the outlet's own suffix on the title.
            outlet_title = title if j == 0 else f"{title} - {DEMO_FEEDS[feed][0]}"
            items.append(DemoItem(f"{key}-{j}", feed, outlet_title, summary, base + 20 * j,
                                  -48.0 if slot == 0 else 0.0))
    return items


def manifest_path(settings: Settings) -> Path:
    """Where the demo news manifest lives."""
    return settings.data_dir / "demo" / "news.json"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_manifest(settings: Settings, items: Sequence[DemoItem], *, started_at: datetime | None = None) -> Path:
    """Write the manifest (items, and the start time when given) and the complete feed files.

    Without ``started_at`` the clock starts at the first request for a demo feed (see
    :func:`load_manifest`), so the drip begins when the app actually serves, not at setup time.
    """
    path = manifest_path(settings)
    data = {"started_at": started_at.isoformat() if started_at else None, "items": [asdict(i) for i in items]}
    _write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
    nominal = started_at or datetime.now(timezone.utc)
    for name in DEMO_FEEDS:
        _write_atomic(settings.data_dir / "demo" / "feeds" / f"{name}.xml",
                      render_feed(settings, name, items, nominal, now=None))
    return path


def load_manifest(path: Path, *, start_if_unset: bool = True) -> tuple[datetime, list[DemoItem]]:
    """Read a manifest; a manifest without start time is started now (and saved) when asked."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [DemoItem(**item) for item in data["items"]]
    if data.get("started_at"):
        return datetime.fromisoformat(data["started_at"]), items
    started_at = datetime.now(timezone.utc)
    if start_if_unset:
        data["started_at"] = started_at.isoformat()
        _write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
    return started_at, items


def demo_feed_key(settings: Settings, name: str) -> str:
    """Per-installation key for a demo feed URL (HMAC of the feed name with the secret key).

    The fetcher has no login, so the route is not behind a session; the key keeps it from
    being an open endpoint.
    """
    return hmac.new(settings.secret_key.encode(), f"demo-feed:{name}".encode(), hashlib.sha256).hexdigest()[:24]


def demo_feed_url(settings: Settings, name: str) -> str:
    """URL of one demo feed served by the app, with its key."""
    return settings.base_url.rstrip("/") + f"/demo/feeds/{name}.xml?key={demo_feed_key(settings, name)}"


def render_feed(settings: Settings, name: str, items: Sequence[DemoItem], started_at: datetime,
                now: datetime | None) -> str:
    """The feed document for ``name`` with the items revealed at ``now`` (all items when None)."""
    title, lang, fmt = DEMO_FEEDS[name]
    elapsed = None if now is None else (now - started_at).total_seconds()
    visible = [i for i in items if i.feed == name and (elapsed is None or i.reveal_seconds <= elapsed)]
    visible.sort(key=lambda i: (i.reveal_seconds, i.key), reverse=True)
    site = settings.base_url.rstrip("/") + "/demo"

    def published(item: DemoItem) -> datetime:
        return started_at + timedelta(seconds=item.reveal_seconds, hours=item.published_offset_hours)

    if fmt == "atom":
        entries = "".join(
            f"<entry><id>urn:riskradar-demo:{escape(name)}:{escape(i.key)}</id><title>{escape(i.title)}</title>"
            f'<link href="{escape(site)}/{escape(name)}/{escape(i.key)}"/>'
            f"<updated>{published(i).isoformat()}</updated><summary>{escape(i.summary)}</summary></entry>"
            for i in visible)
        updated = max((published(i) for i in visible), default=started_at).isoformat()
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">'
                f"<title>{escape(title)}</title><id>urn:riskradar-demo:{escape(name)}</id><updated>{updated}</updated>"
                f"{entries}</feed>\n")
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(site)}/{escape(name)}/{escape(i.key)}</link>"
        f'<guid isPermaLink="false">riskradar-demo:{escape(name)}:{escape(i.key)}</guid>'
        f"<pubDate>{format_datetime(published(i))}</pubDate><description>{escape(i.summary)}</description></item>"
        for i in visible)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>{escape(site)}</link><language>{lang}</language><description>RiskRadar demo feed</description>"
            f"{body}</channel></rss>\n")


def register_demo_feeds(session: Session, settings: Settings, *, started_at: datetime | None = None) -> dict[str, Any]:
    """Write the demo news manifest and register one feed per demo outlet (idempotent).

    The drip clock starts at the first request for a demo feed (or at ``started_at`` when given);
    re-running restarts it and keeps existing feed rows. Returns the feed ids, the suppliers named
    in red-line stories and the manifest path.
    """
    from riskradar.domain.news import Feed
    from riskradar.services.feeds import add_feed

    suppliers = pick_demo_suppliers(session)
    items = build_items(suppliers, settings.demo_drip_minutes)
    path = write_manifest(settings, items, started_at=started_at)
    feed_ids: list[int] = []
    for name, (title, lang, _fmt) in DEMO_FEEDS.items():
        url = demo_feed_url(settings, name)
        feed = session.scalar(select(Feed).where(Feed.url == url))
        if feed is None:
            # Registered earlier under another base URL (e.g. `serve --port` differs): move it.
            feed = session.scalar(select(Feed).where(Feed.url.like(f"%/demo/feeds/{name}.xml%")).order_by(Feed.id))
            if feed is not None:
                feed.url = url
        if feed is None:
            feed = add_feed(session, url, name=f"{title} (demo)", lang=lang, credibility=CREDIBILITY[name],
                            poll_interval_minutes=1, settings=settings)
        else:
            feed.enabled = True
            feed.consecutive_failures = 0
            feed.next_poll_at = datetime.now(timezone.utc)
        feed_ids.append(feed.id)
    session.flush()
    return {"feeds": feed_ids, "items": len(items), "manifest": str(path),
            "suppliers": [asdict(s) for s in suppliers]}
