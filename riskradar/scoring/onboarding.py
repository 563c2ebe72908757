"""Onboarding check (供应商准入) for buyers: approve, approve with named conditions, or reject.

For a vendor name (Chinese or English, legal suffixes ignored), an optional country and industry:
fuzzy-match existing suppliers, compute the inherent exposure, look at stored news (links of the
matched suppliers plus a title search for the name), the matched supplier's audits, agreement and
red-line events, and decide. The name index is built once per process and rebuilt when the
supplier table changes, so a check costs a few small queries.
"""

from __future__ import annotations

import bisect
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riskradar.domain import Article, ArticleSupplierLink, ArticleTag, Supplier
from riskradar.domain.base import RED_LINES, utcnow
from riskradar.names import has_cjk, normalize_name
from riskradar.scoring.loader import load_inputs
from riskradar.scoring.model import (
    CATEGORY_NAMES,
    SCHEME_NAMES,
    Scorer,
    SupplierScore,
    country_zh,
    inherent_exposure,
    spend_percentiles,
)
from riskradar.scoring.tiers import tier_name
from riskradar.scoring.reference import load_reference
from riskradar.settings import Settings

_MAX_CANDIDATES = 4000
_INDEX_MAX_AGE = 30.0
_RARE_GRAMS = 4


def _grams(norm: str) -> set[str]:
    """Character bigrams for Chinese, trigrams of each word (and whole short words) for Latin names."""
    if not norm:
        return set()
    if has_cjk(norm):
        return {norm[i : i + 2] for i in range(len(norm) - 1)} or {norm}
    out: set[str] = set()
    for word in norm.split():
        if len(word) <= 3:
            out.add(word)
        else:
            out.update(word[i : i + 3] for i in range(len(word) - 2))
    return out


def similarity(a: str, b: str) -> float:
    """Name similarity 0-100 of two normalised names.

    Edit-distance ratio (also on sorted words); a name contained in the other counts 95 % of the
    containment score only when the shorter name is at least 60 % as long ("深圳华强电子" vs
    "深圳华强电子科技"), so a shared generic word does not make two companies the same.
    """
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if long_ and len(short) / len(long_) >= 0.6:
        score = max(score, 0.95 * fuzz.partial_ratio(short, long_))
    return float(score)


@dataclass
class NameIndex:
    """Normalised supplier names with an inverted n-gram index (prefilter before rapidfuzz).

    Kept up to date incrementally: new suppliers are appended, changed ones re-indexed (their old
    entries become tombstones, an empty name), so only the first build reads the whole table.
    """

    names: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=dict)
    postings: dict[str, list[int]] = field(default_factory=dict)
    by_owner: dict[int, list[int]] = field(default_factory=dict)
    count: int = 0
    max_id: int = 0
    synced_at: datetime | None = None  # supplier changes up to this time are indexed
    checked: float = 0.0  # time.monotonic() of the last change scan
    spend_percentile: Any = None

    def _add(self, sid: int, raw_names: Iterable[Any]) -> None:
        seen: set[str] = set()
        entries = self.by_owner.setdefault(sid, [])
        for raw in raw_names:
            if not raw or not isinstance(raw, str):
                continue
            norm = normalize_name(raw)
            if not norm or norm in seen:
                continue
            seen.add(norm)
            idx = len(self.names)
            self.names.append(norm)
            self.owners.append(sid)
            entries.append(idx)
            self.exact.setdefault(norm, []).append(idx)
            for g in _grams(norm):
                self.postings.setdefault(g, []).append(idx)

    def _remove(self, sid: int) -> None:
        for idx in self.by_owner.pop(sid, []):
            self.names[idx] = ""  # tombstone; postings keep the index, search skips it

    def _load(self, session: Session, where: Any) -> int:
        n = 0
        stmt = select(Supplier.id, Supplier.name_zh, Supplier.name_en, Supplier.short_name, Supplier.aliases).where(where)
        for sid, zh, en, short, aliases in session.execute(stmt):
            self._remove(sid)
            self._add(sid, (zh, en, short, *(aliases or [])))
            self.max_id = max(self.max_id, sid)
            n += 1
        return n

    def _spends(self, session: Session) -> None:
        spends = session.execute(select(Supplier.annual_spend).where(Supplier.annual_spend.is_not(None))).scalars()
        self.spend_percentile = spend_percentiles(spends)

    @classmethod
    def build(cls, session: Session) -> "NameIndex":
        """Index every supplier's names (zh, en, short name, aliases)."""
        idx = cls()
        idx.synced_at = utcnow()
        idx._load(session, Supplier.id.is_not(None))
        idx.count = len(idx.by_owner)
        idx.checked = time.monotonic()
        idx._spends(session)
        return idx

    def refresh(self, session: Session, count: int, max_id: int, *, max_age_seconds: float) -> bool:
        """Bring the index up to date; False when a full rebuild is needed (suppliers were deleted)."""
        if max_id and max_id > self.max_id:
            self._load(session, Supplier.id > self.max_id)
        if time.monotonic() - self.checked > max_age_seconds:
            since = self.synced_at
            self.synced_at = utcnow()
            # Renamed suppliers and new aliases (updated_at is maintained by the ORM).
            self._load(session, Supplier.updated_at >= since - timedelta(seconds=2))
            self.checked = time.monotonic()
            self._spends(session)
        self.count = len(self.by_owner)
        return count == self.count

    def search(self, query: str, *, cutoff: float, limit: int) -> list[tuple[int, str, float]]:
        """Best matches ``[(supplier_id, matched normalised name, score 0-100)]``, one per supplier."""
        norm = normalize_name(query)
        if not norm:
            return []
        cand: set[int] = set(self.exact.get(norm, ()))
        lists = sorted((self.postings[g] for g in _grams(norm) if g in self.postings), key=len)
        for plist in lists[:_RARE_GRAMS]:
            if len(cand) >= _MAX_CANDIDATES:
                break
            cand.update(plist[: _MAX_CANDIDATES])
        idxs = [i for i in sorted(cand) if self.names[i]]
        if not idxs:
            return []
        choices = [self.names[i] for i in idxs]
        # WRatio shortlists; the stricter similarity below decides (WRatio's partial matching would
        # call "Unknown Vendor Trading" a 90 % match of any "... Trading" company).
        hits = process.extract(norm, choices, scorer=fuzz.WRatio, processor=None, score_cutoff=max(0.0, cutoff - 15),
                               limit=limit * 5)
        best: dict[int, tuple[int, str, float]] = {}
        for _name, _rough, pos in hits:
            score = similarity(norm, choices[pos])
            if score < cutoff:
                continue
            i = idxs[pos]
            sid = self.owners[i]
            if sid not in best or score > best[sid][2]:
                best[sid] = (sid, self.names[i], float(score))
        return sorted(best.values(), key=lambda m: (-m[2], m[0]))[:limit]


_CACHE: dict[str, NameIndex] = {}
_LOCK = threading.Lock()


def name_index(session: Session, *, max_age_seconds: float = _INDEX_MAX_AGE) -> NameIndex:
    """The cached name index of this database (built on first use, then kept up to date).

    Every call checks the supplier count and highest id (cheap index lookups) and appends new
    suppliers; every ``max_age_seconds`` it also re-indexes suppliers changed since (renames,
    aliases). Deleted suppliers trigger a full rebuild. Call it once at start-up to warm the cache.
    """
    count, max_id = session.execute(select(func.count(Supplier.id), func.max(Supplier.id))).one()
    key = str(session.get_bind().url)
    with _LOCK:
        idx = _CACHE.get(key)
        if idx is None or not idx.refresh(session, int(count or 0), int(max_id or 0), max_age_seconds=max_age_seconds):
            idx = NameIndex.build(session)
            _CACHE[key] = idx
        return idx


def warm_name_index(db: Any) -> int:
    """Build the name index (and title cache) ahead of the first check, e.g. in a thread at start-up.

    ``db`` is a :class:`riskradar.db.Database`; returns the number of indexed names.
    """
    with db.session() as session:
        idx = name_index(session)
        _recent_titles(session, int(load_reference().model["onboarding"]["news_title_scan"]))
        return sum(1 for n in idx.names if n)


def _country_code(country: str | None) -> str | None:
    if not country or not country.strip():
        return None
    try:
        from riskradar.countries import to_alpha2  # helper "registry"
    except ImportError:
        code = country.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"country {country!r} is not an ISO 3166 alpha-2 code")
        return code
    return to_alpha2(country)


def _reason(code: str, en: str, zh: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "en": en, "zh": zh, **extra}


@dataclass
class _TitleCache:
    """Lower-cased titles of the newest articles, extended incrementally as articles arrive."""

    ids: list[int]
    titles: list[str]
    last_id: int
    blob: str = ""
    offsets: list[int] | None = None

    def reindex(self) -> None:
        """One newline-joined string plus start offsets: substring search runs in C (str.rfind)."""
        self.offsets = []
        pos = 0
        for t in self.titles:
            self.offsets.append(pos)
            pos += len(t) + 1
        self.blob = "\n".join(self.titles)


_TITLES: dict[str, _TitleCache] = {}


def _recent_titles(session: Session, scan: int) -> _TitleCache:
    key = str(session.get_bind().url)
    with _LOCK:
        cache = _TITLES.get(key)
        if cache is None:
            rows = session.execute(select(Article.id, Article.title).order_by(Article.id.desc()).limit(scan)).all()
            rows.reverse()
            cache = _TitleCache([r[0] for r in rows], [(r[1] or "").replace("\n", " ").lower() for r in rows],
                                rows[-1][0] if rows else 0)
            cache.reindex()
            _TITLES[key] = cache
        else:
            rows = session.execute(select(Article.id, Article.title).where(Article.id > cache.last_id)
                                   .order_by(Article.id).limit(scan)).all()
            if rows:
                cache.ids.extend(r[0] for r in rows)
                cache.titles.extend((r[1] or "").replace("\n", " ").lower() for r in rows)
                cache.last_id = rows[-1][0]
                if len(cache.ids) > scan:
                    del cache.ids[: len(cache.ids) - scan]
                    del cache.titles[: len(cache.titles) - scan]
                cache.reindex()
        return cache


def _title_search(session: Session, terms: list[str], scan: int, limit: int = 20) -> list[dict[str, Any]]:
    """Articles among the newest ``scan`` whose title contains one of ``terms`` (case-insensitive).

    Titles are cached in memory (a plain substring scan of 100k short strings takes milliseconds,
    where a ``LIKE '%x%'`` scan in the database takes hundreds).
    """
    terms = [t.lower() for t in dict.fromkeys(terms) if t and len(t) >= (2 if has_cjk(t) else 4)]
    if not terms:
        return []
    cache = _recent_titles(session, scan)
    found: set[int] = set()
    offsets = cache.offsets or []
    for term in terms:
        end = len(cache.blob)
        while len(found) < limit * len(terms):
            pos = cache.blob.rfind(term, 0, end)
            if pos < 0:
                break
            i = bisect.bisect_right(offsets, pos) - 1
            found.add(i)
            end = offsets[i]  # continue before this title
            if end <= 0:
                break
    hits = sorted((cache.ids[i] for i in found), reverse=True)[:limit]
    if not hits:
        return []
    rows = session.execute(select(Article.id, Article.title, Article.published_at, Article.url)
                           .where(Article.id.in_(hits)).order_by(Article.id.desc())).all()
    tags: dict[int, list[dict[str, Any]]] = {}
    for aid, label, prob, status in session.execute(
        select(ArticleTag.article_id, ArticleTag.label, ArticleTag.probability, ArticleTag.review_status)
        .where(ArticleTag.article_id.in_(hits))
    ):
        tags.setdefault(aid, []).append({"label": label, "probability": round(prob, 3), "review_status": status})
    return [{"article_id": r[0], "title": r[1], "published_at": r[2], "url": r[3], "tags": tags.get(r[0], [])} for r in rows]


def _linked_news(session: Session, supplier_ids: list[int], limit: int = 20) -> list[dict[str, Any]]:
    """The newest red-line-tagged articles linked to the matched suppliers."""
    if not supplier_ids:
        return []
    rows = session.execute(
        select(Article.id, Article.title, Article.published_at, Article.url, ArticleSupplierLink.supplier_id,
               ArticleTag.label, ArticleTag.probability, ArticleTag.review_status)
        .join(ArticleSupplierLink, ArticleSupplierLink.article_id == Article.id)
        .join(ArticleTag, ArticleTag.article_id == Article.id)
        .where(ArticleSupplierLink.supplier_id.in_(supplier_ids), ArticleTag.label.in_(RED_LINES),
               ArticleTag.review_status != "dismissed")
        .order_by(Article.id.desc())
        .limit(limit)
    ).all()
    return [{"article_id": r[0], "title": r[1], "published_at": r[2], "url": r[3], "supplier_id": r[4],
             "tags": [{"label": r[5], "probability": round(r[6], 3), "review_status": r[7]}]} for r in rows]


def check_vendor(session: Session, settings: Settings | None, *, name: str, country: str | None = None,
                 industry: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Decide whether a vendor may be onboarded.

    Returns ``decision`` (``approve`` | ``conditional`` | ``reject``), ``reasons`` and ``conditions``
    (each with ``code``, ``en``, ``zh``), ``matches`` (existing suppliers with match score, risk score
    and tier), ``exposure`` (inherent exposure per category), ``news`` and, for a matched supplier,
    ``supplier`` (its current risk). Raises ``ValueError`` for an empty name or an unknown country.
    """
    if not name or not normalize_name(name):
        raise ValueError("vendor name is empty")
    code = _country_code(country)
    now = now or utcnow()
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    ref = load_reference()
    cfg = ref.model["onboarding"]
    idx = name_index(session)
    found = idx.search(name, cutoff=float(cfg["match_cutoff"]), limit=int(cfg["max_matches"]))
    sups = {s.id: s for s in session.scalars(select(Supplier).where(Supplier.id.in_([m[0] for m in found])))} if found else {}
    matches = []
    for sid, matched, score in found:
        s = sups.get(sid)
        if s is None:
            continue
        matches.append({"supplier_id": sid, "external_ref": s.external_ref, "name_zh": s.name_zh, "name_en": s.name_en,
                        "country": s.country, "industry": s.industry, "matched_name": matched,
                        "match_score": round(score, 1), "risk_score": s.risk_score, "risk_tier": s.risk_tier,
                        "status": s.status})
    same = None
    if matches and matches[0]["match_score"] >= float(cfg["same_vendor_cutoff"]):
        cand = sups[matches[0]["supplier_id"]]
        if code is None or cand.country == code:
            same = cand
    eff_country = code or (same.country if same else None)
    eff_industry = industry or (same.industry if same else None)
    exposure = inherent_exposure(ref, eff_country, eff_industry, same.products if same else None)
    reasons: list[dict[str, Any]] = []
    conditions: list[dict[str, Any]] = []
    reject = False

    current: SupplierScore | None = None
    if same is not None:
        inputs = load_inputs(session, [same.id], today=now.date(), now=now,
                             min_probability=float(ref.model["news"]["min_probability"]),
                             default_credibility=float(ref.model["news"]["default_credibility"]))
        scorer = Scorer(ref, today=now.date(), news_half_life_days=getattr(settings, "news_half_life_days", None),
                        audit_validity_months=getattr(settings, "audit_validity_months", None),
                        spend_percentile=idx.spend_percentile)
        inp = inputs[same.id]
        current = scorer.score(inp)
        reasons.append(_reason("matched", f"Matches existing supplier {same.external_ref} {same.display_name} "
                                          f"(match {matches[0]['match_score']:.0f}/100, tier {tier_name(current.tier, 'en')})",
                               f"匹配到现有供应商 {same.external_ref} {same.display_name}（匹配度 {matches[0]['match_score']:.0f}/100，"
                               f"风险等级 {tier_name(current.tier, 'zh')}）"))
        for t in current.red_line_triggers:
            en_c, zh_c = CATEGORY_NAMES[t["category"]]
            reject = True
            if t["kind"] == "zero_tolerance_finding":
                reasons.append(_reason("zero_tolerance_finding", f"Open zero-tolerance audit finding on {en_c}",
                                       f"存在未关闭的{zh_c}零容忍审核发现", category=t["category"]))
            else:
                reasons.append(_reason("confirmed_red_line", f"Confirmed red-line event: {en_c}",
                                       f"已确认的红线事件：{zh_c}", category=t["category"]))
        if current.tier == "high" and not reject:
            reasons.append(_reason("high_tier", f"Existing supplier is in the high-risk tier (score {current.score:.0f})",
                                   f"现有供应商处于高风险等级（得分 {current.score:.0f}）"))
        overdue = sum(f.count for f in inp.findings if f.status == "open" and f.overdue)
        if overdue and not reject:
            conditions.append(_reason("close_overdue_caps", f"Close the {overdue} overdue corrective action(s) before the first order",
                                      f"首次下单前关闭 {overdue} 项逾期整改", count=overdue))
    elif matches:
        reasons.append(_reason("similar_names", f"{len(matches)} existing supplier(s) with similar names; none is clearly the same vendor",
                               f"有 {len(matches)} 家名称相近的现有供应商，但无法确定为同一供应商"))
    else:
        reasons.append(_reason("new_vendor", "Not found among existing suppliers (new vendor)", "现有供应商中未找到（新供应商）"))

    # Inherent exposure.
    red = {c: exposure.categories[c] for c in RED_LINES}
    top_cat = max(RED_LINES, key=lambda c: (red[c], -RED_LINES.index(c)))
    top_val = red[top_cat]
    en_c, zh_c = CATEGORY_NAMES[top_cat]
    if not exposure.country_known:
        reasons.append(_reason("country_unknown", f"Country {eff_country or 'not given'}: no reference data, conservative default used",
                               f"国家 {eff_country or '未提供'}：无参考数据，按保守默认值计"))
    if exposure.industry_key is None:
        reasons.append(_reason("industry_unknown", f"Industry {eff_industry or 'not given'}: not in the sector table, conservative default used",
                               f"行业 {eff_industry or '未提供'}：不在行业表中，按保守默认值计"))
    level_zh = {"high": "高", "medium": "中", "low": "低"}
    level = "high" if top_val >= float(cfg["high_exposure"]) else "medium" if top_val >= float(cfg["medium_exposure"]) else "low"
    reasons.append(_reason("exposure", f"Inherent exposure {level}: highest red-line category {en_c} {top_val:.0f}/100",
                           f"固有风险{level_zh[level]}：最高红线类别 {zh_c} {top_val:.0f}/100",
                           level=level))
    for g in exposure.goods[:3]:
        kinds = [k for k, f in (("child labour", g[3]), ("forced labour", g[4])) if f]
        kinds_zh = [k for k, f in (("童工", g[3]), ("强迫劳动", g[4])) if f]
        reasons.append(_reason("listed_goods", f"US DOL {g[2]} list: {g[1]} from {g[0]} ({' and '.join(kinds)})",
                               f"美国劳工部 {g[2]} 年清单：{country_zh(g[0], g[0])}的 {g[1]}（{'和'.join(kinds_zh)}）"))

    # News: links of matched suppliers + title search.
    linked = _linked_news(session, [m["supplier_id"] for m in matches if m["match_score"] >= float(cfg["same_vendor_cutoff"])])
    terms = [name.strip(), normalize_name(name)]
    titled = _title_search(session, terms, int(cfg["news_title_scan"]))
    news = {"linked": linked, "title_matches": titled}
    red_news = [a for a in linked + titled for t in a["tags"]
                if t["label"] in RED_LINES and t["review_status"] != "dismissed"
                and (t["review_status"] == "confirmed" or t["probability"] >= 0.5)]
    confirmed_news = [a for a in titled for t in a["tags"] if t["label"] in RED_LINES and t["review_status"] == "confirmed"]
    if confirmed_news and not reject:
        reject = True
        reasons.append(_reason("confirmed_red_line_news", f"{len(confirmed_news)} confirmed red-line news item(s) mention the name",
                               f"{len(confirmed_news)} 条已确认的红线舆情提及该名称"))
    elif red_news:
        n = len({a["article_id"] for a in red_news})
        reasons.append(_reason("red_line_news", f"{n} news item(s) mention the vendor with possible red-line issues",
                               f"{n} 条舆情提及该供应商可能涉及红线问题"))
        conditions.append(_reason("review_news", f"CSR lead reviews the {n} red-line news item(s) before the first order",
                                  f"首次下单前由 CSR 负责人审查 {n} 条红线舆情", count=n))

    # Audit and agreement requirements.
    scheme_key = cfg["audit_schemes"].get(exposure.industry_key or "", cfg["default_audit_scheme"])
    scheme = SCHEME_NAMES.get(scheme_key, scheme_key)
    evidence_unknown = current.evidence_unknown if current is not None else True
    agreement_ok = False
    if same is not None:
        ag = inputs[same.id].agreement
        agreement_ok = bool(ag and ag.status == "signed" and not (ag.expiry_date and ag.expiry_date < now.date())
                            and all(c in ag.clauses for c in RED_LINES))
    needs_controls = level != "low" or not exposure.country_known or exposure.industry_key is None or bool(red_news) \
        or (current is not None and current.tier in ("high", "medium"))
    if needs_controls and not reject:
        if not agreement_ok:
            conditions.append(_reason("sign_agreement",
                                      "Sign the procurement CSR agreement with all red-line clauses (child labour, forced labour, bribery, fire) before the first order",
                                      "首次下单前签署含全部红线条款（童工、强迫劳动、商业贿赂、消防）的采购 CSR 协议"))
        # A known supplier with a valid audit needs no new one; a new vendor with high exposure does.
        if evidence_unknown or (level == "high" and current is None):
            days = 30 if level == "high" or (current is not None and current.tier == "high") else 90
            conditions.append(_reason("pass_audit", f"Pass a {scheme} audit within {days} days",
                                      f"{days} 天内通过 {scheme} 审核", scheme=scheme_key, due_days=days))
        if exposure.industry_key and ref.industries[exposure.industry_key].fire_class in ("high", "very_high"):
            conditions.append(_reason("fire_inspection", "Pass an on-site fire-safety inspection (exits, storage, dormitory separation) within 30 days",
                                      "30 天内通过现场消防安全检查（疏散通道、仓储、宿舍分离）", due_days=30))
    if same is not None and not reject and not agreement_ok and not needs_controls:
        reasons.append(_reason("agreement_reminder", "Standard onboarding: the CSR agreement is signed with the contract",
                               "标准准入流程：随合同签署 CSR 协议"))

    decision = "reject" if reject else ("conditional" if conditions else "approve")
    if decision == "reject":
        conditions = []
    return {
        "name": name, "normalized_name": normalize_name(name), "country": eff_country, "industry": eff_industry,
        "decision": decision, "reasons": reasons, "conditions": conditions, "matches": matches,
        "exposure": exposure.as_dict(), "news": news,
        "supplier": None if current is None or same is None else {
            "supplier_id": same.id, "external_ref": same.external_ref, "score": current.score, "tier": current.tier,
            "categories": current.categories, "reasons": current.reasons,
        },
    }
