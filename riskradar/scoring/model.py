"""The risk model as pure functions over plain data (no database): see docs/risk-model.md.

Per category c (red lines first, then the secondary categories):

    likelihood_c = clip(w_inh * inherent_c + w_aud * audit_c + w_news * news_c
                        + agreement_c + coverage_c + sme, 0, 100)

and per supplier an overall likelihood, impact, score, risk-map cell, tier and reasons (zh + en).
A confirmed red-line event or an open zero-tolerance finding in a red-line category forces the
``red_line`` tier.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from riskradar.domain.base import RED_LINES, SECONDARY_CATEGORIES
from riskradar.vocabulary import VOCABULARY, display_name
from riskradar.scoring.reference import CATEGORIES, Reference
from riskradar.scoring.tiers import band, matrix_tier

def _sentence_names(kind: str, codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    # Names from the shared vocabulary, English lowered to sit inside a reason sentence.
    return {c: (display_name(kind, c, "en").lower(), display_name(kind, c, "zh")) for c in codes}


CATEGORY_NAMES: dict[str, tuple[str, str]] = _sentence_names("category", RED_LINES + SECONDARY_CATEGORIES)
SEVERITY_NAMES: dict[str, tuple[str, str]] = _sentence_names(
    "severity", ("zero_tolerance", "major", "minor", "observation"))
# Scheme names are proper names (kept as written, e.g. "amfori BSCI").
SCHEME_NAMES: dict[str, str] = {code: names[0] for code, names in VOCABULARY["scheme"].items()}
AGREEMENT_NAMES: dict[str, tuple[str, str]] = {
    "pending": ("pending signature", "待签署"),
    "expired": ("expired", "已过期"),
    "refused": ("refused", "拒签"),
    "missing": ("not on file", "未签署"),
}


# --- Inputs -------------------------------------------------------------------------------------


@dataclass(slots=True)
class AuditInfo:
    """One audit of a supplier (only the fields the model reads)."""

    scheme: str
    audit_date: date
    result: str | None = None
    grade: str | None = None
    score: float | None = None
    preconditions_met: bool | None = None


@dataclass(slots=True)
class FindingGroup:
    """``count`` findings of one category/severity/status from audits on ``audit_date``."""

    category: str
    severity: str
    status: str  # open | closed
    overdue: bool
    audit_date: date
    count: int = 1


@dataclass(slots=True)
class AgreementInfo:
    """The supplier's current CSR agreement (latest version)."""

    status: str  # signed | pending | refused | expired
    expiry_date: date | None = None
    clauses: tuple[str, ...] = ()
    version: str | None = None


@dataclass(slots=True)
class NewsGroup:
    """Linked, classified articles of one label and review status, ``age_days`` old.

    ``weight`` is the sum over the articles of probability x feed credibility x link confidence
    (the service pre-aggregates in SQL); ``count`` is the number of articles.
    """

    label: str
    review_status: str  # unreviewed | confirmed | dismissed
    age_days: float
    weight: float
    count: int = 1


@dataclass(slots=True)
class SupplierInputs:
    """Everything the model needs about one supplier."""

    supplier_id: int
    country: str | None = None
    industry: str | None = None
    products: str | None = None
    annual_spend: float | None = None
    criticality: str | None = "medium"
    tier_level: int | None = 1
    external_ref: str = ""
    name: str = ""
    previous_tier: str | None = None
    audits: list[AuditInfo] = field(default_factory=list)
    findings: list[FindingGroup] = field(default_factory=list)
    agreement: AgreementInfo | None = None
    news: list[NewsGroup] = field(default_factory=list)
    confirmed_alerts: list[str] = field(default_factory=list)  # red-line categories of confirmed alerts

    def fingerprint(self) -> str:
        """A stable hash of the inputs (same inputs -> same hash -> same score).

        Evidence lists are hashed in a canonical order, so the database's row order does not matter.
        """
        parts = (
            self.country, self.industry, self.products, self.annual_spend, self.criticality, self.tier_level,
            sorted([(a.scheme, a.audit_date.toordinal(), a.result or "", a.grade or "", -1.0 if a.score is None else a.score,
                     -1 if a.preconditions_met is None else int(a.preconditions_met)) for a in self.audits]),
            sorted([(f.category, f.severity, f.status, f.overdue, f.audit_date.toordinal(), f.count) for f in self.findings]),
            None if self.agreement is None else (self.agreement.status, str(self.agreement.expiry_date),
                                                 tuple(sorted(self.agreement.clauses))),
            sorted([(n.label, n.review_status, round(n.age_days, 3), round(n.weight, 6), n.count) for n in self.news]),
            sorted(self.confirmed_alerts),
        )
        return hashlib.blake2b(repr(parts).encode(), digest_size=32).hexdigest()


# --- Outputs ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Reason:
    """One contributing factor: points it added (negative = mitigating) and its text in zh and en."""

    factor: str
    category: str | None
    points: float
    value: Any
    en: str
    zh: str

    def as_dict(self) -> dict[str, Any]:
        return {"factor": self.factor, "category": self.category, "weight": round(self.points, 1),
                "value": self.value, "en": self.en, "zh": self.zh}


@dataclass(slots=True)
class SupplierScore:
    """The result for one supplier."""

    supplier_id: int
    score: float
    likelihood: float
    impact: float
    likelihood_band: int
    impact_band: int
    tier: str
    categories: dict[str, float]
    breakdown: dict[str, dict[str, float]]
    reasons: list[dict[str, Any]]
    red_line_triggers: list[dict[str, Any]]
    evidence_unknown: bool
    inputs_hash: str


# --- Inherent exposure --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exposure:
    """Inherent exposure of a country x industry (x listed goods): per category 0..100, with parts."""

    categories: dict[str, float]
    country_points: dict[str, float]
    sector_points: dict[str, float]
    goods_points: dict[str, float]
    goods: tuple[tuple[str, str, int, bool, bool], ...]  # (country, good, year, child, forced)
    country_known: bool
    industry_key: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "categories": {c: round(v, 1) for c, v in self.categories.items()},
            "overall": round(max(self.categories[c] for c in RED_LINES), 1),
            "country_known": self.country_known, "industry": self.industry_key,
            "listed_goods": [{"country": g[0], "good": g[1], "list_year": g[2], "child_labour": g[3],
                              "forced_labour": g[4]} for g in self.goods],
        }


def _country_points(ref: Reference, country: str | None) -> tuple[dict[str, float], bool]:
    inh = ref.model["inherent"]
    default = float(ref.model["defaults"]["country_points"])
    row = ref.countries.get((country or "").upper())
    points = dict.fromkeys(CATEGORIES, default)
    if row is None:
        return points, False
    if row.cpi is not None:
        governance = min(6.0, max(1.0, 1.0 + 5.0 * (100.0 - row.cpi) / 100.0))
        # CPI measures corruption directly; for fire and the secondary categories it is the
        # proxy for how well labour, building and fire codes are enforced.
        for c in ("bribery", "fire", *SECONDARY_CATEGORIES):
            points[c] = governance
    if row.slavery_per_1000 is not None:
        cap = float(inh["slavery_cap_per_1000"])
        points["forced_labour"] = 1.0 + 5.0 * min(1.0, math.log1p(row.slavery_per_1000) / math.log1p(cap))
    if row.child_labour_pct is not None:
        cap = float(inh["child_labour_cap_pct"])
        points["child_labour"] = 1.0 + 5.0 * min(1.0, row.child_labour_pct / cap)
    return points, True


def inherent_exposure(ref: Reference, country: str | None, industry: str | None, products: str | None = None) -> Exposure:
    """Sedex-Radar-like inherent risk per category: (country 1-6 + sector 1-4 + goods 0-2, cap 10) x 10."""
    country = (country or "").upper() or None
    country_pts, known = _country_points(ref, country)
    key = ref.industry_key(industry)
    if key is None and products:
        key = ref.industry_key(products)
    default_sector = float(ref.model["defaults"]["sector_points"])
    sector_pts = dict(ref.industries[key].points) if key else dict.fromkeys(CATEGORIES, default_sector)
    goods_pts = dict.fromkeys(CATEGORIES, 0.0)
    hits: list[tuple[str, str, int, bool, bool]] = []
    text = (products or "").lower()
    for good in ref.goods.get(country or "", ()):
        if (key and key in good.industries) or (text and good.good.lower() in text):
            hits.append((good.country, good.good, good.list_year, good.child_labour, good.forced_labour))
            if good.child_labour:
                goods_pts["child_labour"] = float(ref.model["inherent"]["goods_points"])
            if good.forced_labour:
                goods_pts["forced_labour"] = float(ref.model["inherent"]["goods_points"])
    cap = float(ref.model["inherent"]["cap"])
    cats = {c: 10.0 * min(cap, country_pts[c] + sector_pts[c] + goods_pts[c]) for c in CATEGORIES}
    return Exposure(cats, country_pts, sector_pts, goods_pts, tuple(sorted(hits)), known, key)


# --- Scoring ------------------------------------------------------------------------------------


def _months_before(today: date, months: int) -> date:
    year, month = divmod(today.month - 1 - months, 12)
    y, m = today.year + year, month + 1
    day = min(today.day, [31, 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1])
    return date(y, m, day)


def country_zh(code: str | None, fallback: str) -> str:
    """Chinese country name (``riskradar.countries`` when available), else ``fallback``."""
    try:
        from riskradar.countries import country_name  # helper "registry"

        return country_name(code or "", "zh") or fallback
    except (ImportError, KeyError, ValueError):
        return fallback


def _cat_words(category: str | None) -> tuple[str, str]:
    return CATEGORY_NAMES.get(category or "", (category or "overall", category or "整体"))


class Scorer:
    """Scores suppliers with one reference and parameter set; build once per run."""

    def __init__(self, ref: Reference, *, today: date, news_half_life_days: float | None = None,
                 audit_validity_months: int | None = None, spend_percentile: Any = None) -> None:
        self.ref = ref
        self.m = ref.model
        self.today = today
        news = self.m["news"]
        self.half_life = float(news_half_life_days or news["half_life_days"])
        months = int(audit_validity_months or self.m["audit"]["validity_months"])
        self.audit_cutoff = _months_before(today, months)
        self.validity_months = months
        # Callable spend -> percentile 0..1 over the supply base (None when spend is unknown).
        self.spend_percentile = spend_percentile or (lambda spend: None)
        self._exposure_cache: dict[tuple[Any, ...], Exposure] = {}
        self._industry_keys: dict[str | None, str | None] = {}
        self._decay: dict[date, float] = {}
        self._text_hits: dict[tuple[str, str], tuple[int, ...]] = {}
        self._severity_weights = {k: float(v) for k, v in self.m["audit"]["severity_weights"].items()}
        self._unknown_reason = Reason(
            "audit_unknown", None, float(self.m["audit"]["unknown_points"]), None,
            f"No valid audit in the last {months} months: risk unknown, not safe",
            f"近 {months} 个月无有效审核：风险未知，不视为安全")
        self._exposure_reasons: dict[int, tuple[Exposure, list[Reason], str]] = {}
        self._cat_weight = {c: float(self.m["weights"]["red_line_category"] if c in RED_LINES else self.m["weights"]["secondary_category"]) for c in CATEGORIES}

    def exposure(self, country: str | None, industry: str | None, products: str | None) -> Exposure:
        """Inherent exposure, memoised per (country, industry key, listed goods named in products)."""
        if industry in self._industry_keys:
            ikey = self._industry_keys[industry]
        else:
            ikey = self._industry_keys[industry] = self.ref.industry_key(industry)
        code = (country or "").upper()
        goods = self.ref.goods.get(code, ())
        text_hits: tuple[int, ...] = ()
        if goods and products:
            hkey = (code, products)
            hits = self._text_hits.get(hkey)
            if hits is None:
                text = products.lower()
                hits = tuple(i for i, g in enumerate(goods) if g.good.lower() in text)
                if len(self._text_hits) < 200_000:
                    self._text_hits[hkey] = hits
            text_hits = hits
        key = (code, ikey, text_hits, None if ikey else products)
        exp = self._exposure_cache.get(key)
        if exp is None:
            exp = inherent_exposure(self.ref, country, industry, products)
            if len(self._exposure_cache) < 200_000:
                self._exposure_cache[key] = exp
        return exp

    # Evidence parts; each returns per-category points and appends reason candidates.

    def _audit_part(self, s: SupplierInputs, cands: list[Reason], triggers: list[dict[str, Any]]) -> tuple[dict[str, float], bool]:
        a = self.m["audit"]
        weights = self._severity_weights
        points = dict.fromkeys(CATEGORIES, 0.0)
        valid = [x for x in s.audits if x.audit_date >= self.audit_cutoff and x.scheme != "sme"]
        unknown = not valid
        if not s.findings and not valid:
            cands.append(self._unknown_reason)
            return points, True
        open_count: dict[str, list[int]] = {}
        overdue_count: dict[str, int] = {}
        ln2 = math.log(2.0)
        for f in s.findings:
            cat = f.category if f.category in points else None
            w = weights.get(f.severity, 0.0)
            decay = self._decay.get(f.audit_date)
            if decay is None:
                age = max(0, (self.today - f.audit_date).days)
                decay = self._decay[f.audit_date] = max(float(a["age_floor"]), math.exp(-ln2 * age / float(a["age_half_life_days"])))
            if f.status == "open":
                contrib = w * decay * f.count
                if f.overdue:
                    contrib += w * float(a["overdue_extra"]) * f.count
                    if cat:
                        overdue_count[cat] = overdue_count.get(cat, 0) + f.count
                if f.severity == "zero_tolerance" and f.category in RED_LINES:
                    triggers.append({"kind": "zero_tolerance_finding", "category": f.category, "count": f.count,
                                     "audit_date": f.audit_date.isoformat()})
                if cat and f.severity in SEVERITY_ORDER:
                    open_count.setdefault(cat, [0, 0, 0, 0])[SEVERITY_ORDER[f.severity]] += f.count
            else:
                contrib = w * decay * float(a["closed_finding_share"]) * f.count
            if cat:
                points[cat] += contrib
        for c in CATEGORIES:
            points[c] = min(100.0, points[c])
        latest = max(valid, key=lambda x: (x.audit_date, x.scheme)) if valid else None
        result_points = a.get("result_points", {})
        if latest is not None and latest.result in result_points:
            extra = float(result_points[latest.result])
            for c in CATEGORIES:
                points[c] = min(100.0, points[c] + extra)
            cands.append(Reason("audit_result", None, extra * float(self.m["weights"]["audit"]), latest.result,
                                f"Latest audit ({SCHEME_NAMES.get(latest.scheme, latest.scheme)}, {latest.audit_date}) result: {latest.result.replace('_', ' ')}",
                                f"最近一次审核（{SCHEME_NAMES.get(latest.scheme, latest.scheme)}，{latest.audit_date}）结果：{RESULT_ZH.get(latest.result, latest.result)}"))
        w_aud = float(self.m["weights"]["audit"])
        for cat, counts in open_count.items():
            en_c, zh_c = _cat_words(cat)
            parts_en = [f"{n} {SEVERITY_NAMES[sev][0]}" for sev, n in zip(SEVERITY_ORDER, counts) if n]
            parts_zh = [f"{SEVERITY_NAMES[sev][1]} {n} 项" for sev, n in zip(SEVERITY_ORDER, counts) if n]
            od = overdue_count.get(cat, 0)
            en = f"Open audit findings on {en_c}: {', '.join(parts_en)}" + (f"; {od} corrective action(s) overdue" if od else "")
            zh = f"{zh_c}方面未关闭的审核发现：{'，'.join(parts_zh)}" + (f"；{od} 项整改逾期" if od else "")
            cands.append(Reason("audit_findings", cat, points[cat] * w_aud, sum(counts), en, zh))
        if unknown:
            cands.append(self._unknown_reason)
        return points, unknown

    def _agreement_part(self, s: SupplierInputs, cands: list[Reason]) -> dict[str, float]:
        g = self.m["agreement"]
        share = float(g["secondary_share"])
        adj = dict.fromkeys(CATEGORIES, 0.0)
        ag = s.agreement
        status = "missing" if ag is None else ag.status
        if status == "signed" and ag is not None and ag.expiry_date is not None and ag.expiry_date < self.today:
            status = "expired"
        if status == "signed" and ag is not None:
            missing = [c for c in RED_LINES if c not in set(ag.clauses)]
            if not missing:
                v = float(g["signed_all_clauses"])
                for c in CATEGORIES:
                    adj[c] = v if c in RED_LINES else v * share
                cands.append(Reason("agreement", None, v, "signed",
                                    "CSR agreement signed with all red-line clauses",
                                    "已签署含全部红线条款的 CSR 协议"))
            else:
                v = float(g["signed_missing_clause"])
                for c in missing:
                    adj[c] = v
                en = ", ".join(CATEGORY_NAMES[c][0] for c in missing)
                zh = "、".join(CATEGORY_NAMES[c][1] for c in missing)
                cands.append(Reason("agreement", missing[0], v, "missing_clause",
                                    f"CSR agreement signed without the red-line clause(s): {en}",
                                    f"CSR 协议缺少红线条款：{zh}"))
            return adj
        v = float(g[status]) if status in g else float(g["missing"])
        for c in CATEGORIES:
            adj[c] = v if c in RED_LINES else v * share
        en_s, zh_s = AGREEMENT_NAMES.get(status, (status, status))
        cands.append(Reason("agreement", None, v, status, f"CSR agreement {en_s}", f"CSR 协议{zh_s}"))
        return adj

    def _news_part(self, s: SupplierInputs, cands: list[Reason], triggers: list[dict[str, Any]]) -> dict[str, float]:
        n = self.m["news"]
        sums = dict.fromkeys(CATEGORIES, 0.0)
        counts: dict[str, list[int]] = {}
        window = float(n["red_line_window_days"])
        ln2 = math.log(2.0)
        for g in s.news:
            if g.label not in sums or g.review_status == "dismissed":
                continue
            recency = math.exp(-ln2 * max(0.0, g.age_days) / self.half_life)
            if g.review_status == "confirmed":
                w = float(n["confirmed_weight"]) * g.count * recency
                if g.label in RED_LINES and g.age_days <= window:
                    triggers.append({"kind": "confirmed_news", "category": g.label, "count": g.count,
                                     "age_days": round(g.age_days)})
            else:
                w = g.weight * recency
            sums[g.label] += w
            c = counts.setdefault(g.label, [0, 0])
            c[1 if g.review_status == "confirmed" else 0] += g.count
        sat = float(n["saturation"])
        points = {c: 100.0 * (1.0 - math.exp(-v / sat)) for c, v in sums.items()}
        w_news = float(self.m["weights"]["news"])
        for cat, (unrev, conf) in counts.items():
            en_c, zh_c = _cat_words(cat)
            en = f"{unrev + conf} news item(s) on {en_c}" + (f", {conf} confirmed by an analyst" if conf else "")
            zh = f"{zh_c}相关舆情 {unrev + conf} 条" + (f"，其中 {conf} 条经分析师确认" if conf else "")
            cands.append(Reason("news", cat, points[cat] * w_news, unrev + conf, en, zh))
        return points

    def _sme_part(self, s: SupplierInputs, cands: list[Reason]) -> float:
        smes = [a for a in s.audits if a.scheme == "sme"]
        if not smes:
            return 0.0
        latest = max(smes, key=lambda a: a.audit_date)
        try:
            from riskradar import sme  # helper "audits"; optional
        except ImportError:  # pragma: no cover - the module ships with the project
            return 0.0
        if not sme.is_valid(latest.audit_date, self.today):
            return 0.0
        cfg = self.m["sme"]
        grade = latest.grade
        if latest.score is not None:
            try:
                grade = sme.rate(float(latest.score), preconditions_met=latest.preconditions_met is not False)
            except ValueError:
                grade = latest.grade
        elif latest.preconditions_met is False:
            grade = None
        if grade is None:
            v = float(cfg["no_rating_points"])
            cands.append(Reason("sme", None, v, None,
                                f"SME CSR evaluation ({latest.audit_date}): preconditions not met, no rating",
                                f"中小企业社会责任评价（{latest.audit_date}）：不满足前提条件，无评级"))
            return v
        base = grade.rstrip("+-")
        v = float(cfg["points"].get(base, 0.0))
        total = f", {latest.score:g} points" if latest.score is not None else ""
        total_zh = f"，{latest.score:g} 分" if latest.score is not None else ""
        cands.append(Reason("sme", None, v, grade,
                            f"SME CSR rating {grade}{total} (valid until {sme.valid_until(latest.audit_date)})",
                            f"中小企业社会责任评级 {grade}{total_zh}（有效期至 {sme.valid_until(latest.audit_date)}）"))
        return v

    def _impact(self, s: SupplierInputs, cands: list[Reason]) -> float:
        im = self.m["impact"]
        pct = self.spend_percentile(s.annual_spend) if s.annual_spend is not None else None
        spend_pts = float(im["unknown_spend_points"]) if pct is None else 100.0 * pct
        crit_pts = float(im["criticality_points"].get(s.criticality or "medium", im["criticality_points"]["medium"]))
        levels = im["tier_level_points"]
        lvl = max(1, int(s.tier_level or 1))
        tier_pts = float(levels.get(str(lvl), levels[str(max(int(k) for k in levels))] if lvl > 3 else 30.0))
        impact = (float(im["spend_weight"]) * spend_pts + float(im["criticality_weight"]) * crit_pts
                  + float(im["tier_level_weight"]) * tier_pts)
        if s.criticality == "single_source":
            cands.append(Reason("impact", None, 0.0, "single_source", "Single-source supplier (no alternative)", "独家供应商（无替代）"))
        if pct is not None and pct >= 0.9:
            cands.append(Reason("impact", None, 0.0, round(pct * 100),
                                f"Spend in the top {max(1, round((1 - pct) * 100))}% of the supply base",
                                f"采购额位于供应商前 {max(1, round((1 - pct) * 100))}%"))
        return min(100.0, max(0.0, impact))

    def score(self, s: SupplierInputs, *, detail: bool = True) -> SupplierScore:
        """Score one supplier (deterministic for the same inputs, ``today`` and reference).

        ``detail=False`` skips the per-category breakdown (bulk runs store only the results).
        """
        cands: list[Reason] = []
        triggers: list[dict[str, Any]] = []
        exp = self.exposure(s.country, s.industry, s.products)
        audit_pts, unknown = self._audit_part(s, cands, triggers)
        agreement_adj = self._agreement_part(s, cands)
        news_pts = self._news_part(s, cands, triggers)
        sme_adj = self._sme_part(s, cands)
        for cat in s.confirmed_alerts:
            if cat in RED_LINES:
                triggers.append({"kind": "confirmed_alert", "category": cat})
        w = self.m["weights"]
        w_inh, w_aud, w_news = float(w["inherent"]), float(w["audit"]), float(w["news"])
        unknown_pts = float(self.m["audit"]["unknown_points"]) if unknown else 0.0
        clean = float(self.m["audit"]["clean_audit_points"])
        open_cats = {f.category for f in s.findings if f.status == "open"}
        categories: dict[str, float] = {}
        breakdown: dict[str, dict[str, float]] = {}
        for c in CATEGORIES:
            coverage = unknown_pts if unknown else (clean if c not in open_cats else 0.0)
            raw = (w_inh * exp.categories[c] + w_aud * audit_pts[c] + w_news * news_pts[c]
                   + agreement_adj[c] + coverage + sme_adj)
            value = min(100.0, max(0.0, raw))
            categories[c] = round(value, 2)
            if detail:
                breakdown[c] = {"inherent": round(exp.categories[c], 1), "audit": round(audit_pts[c], 1),
                                "news": round(news_pts[c], 1), "agreement": agreement_adj[c],
                                "coverage": coverage, "sme": sme_adj, "likelihood": round(value, 2)}
        forced = sorted({t["category"] for t in triggers})
        for c in forced:
            categories[c] = 100.0
            if detail:
                breakdown[c]["likelihood"] = 100.0
        weighted = [categories[c] * self._cat_weight[c] for c in CATEGORIES]
        share = float(w["max_share"])
        likelihood = share * max(weighted) + (1 - share) * sum(weighted) / sum(self._cat_weight.values())
        if forced:
            likelihood = 100.0
        impact = self._impact(s, cands)
        i_share = float(w["impact_share"])
        score = (1 - i_share) * likelihood + i_share * impact
        lb = band(likelihood, self.m["bands"]["likelihood"])
        ib = band(impact, self.m["bands"]["impact"])
        tier = "red_line" if triggers else matrix_tier(lb, ib)
        cands.extend(self._exposure_reasons_for(exp, s.country, w_inh))
        reasons = self._top_reasons(cands, triggers)
        return SupplierScore(
            supplier_id=s.supplier_id, score=round(score, 2), likelihood=round(likelihood, 2),
            impact=round(impact, 2), likelihood_band=lb, impact_band=ib, tier=tier, categories=categories,
            breakdown=breakdown, reasons=reasons, red_line_triggers=triggers, evidence_unknown=unknown,
            inputs_hash=s.fingerprint(),
        )

    def _exposure_reasons_for(self, exp: Exposure, country: str | None, w_inh: float) -> list[Reason]:
        """Reasons about inherent exposure (top red-line category, listed goods); memoised per exposure."""
        hit = self._exposure_reasons.get(id(exp))
        if hit is not None and hit[0] is exp and (country or "").upper() == hit[2]:
            return hit[1]
        out: list[Reason] = []
        top_cat = max(RED_LINES, key=lambda c: (exp.categories[c], -RED_LINES.index(c)))
        out.append(self._inherent_reason(exp, country, top_cat, w_inh))
        if exp.goods:
            g = exp.goods[0]
            kinds_en = " and ".join(k for k, flag in (("child labour", g[3]), ("forced labour", g[4])) if flag)
            kinds_zh = "和".join(k for k, flag in (("童工", g[3]), ("强迫劳动", g[4])) if flag)
            more = f" (+{len(exp.goods) - 1} more)" if len(exp.goods) > 1 else ""
            more_zh = f"（另有 {len(exp.goods) - 1} 项）" if len(exp.goods) > 1 else ""
            cat = "forced_labour" if g[4] else "child_labour"
            out.append(Reason("listed_goods", cat, w_inh * 10.0 * exp.goods_points[cat], g[1],
                              f"US DOL {g[2]} list: {g[1]} from {g[0]} made with {kinds_en}{more}",
                              f"美国劳工部 {g[2]} 年清单：{self._country_zh(g[0], g[0])}的 {g[1]} 涉及{kinds_zh}{more_zh}"))
        if len(self._exposure_reasons) < 200_000:
            self._exposure_reasons[id(exp)] = (exp, out, (country or "").upper())
        return out

    def _inherent_reason(self, exp: Exposure, country: str | None, cat: str, w_inh: float) -> Reason:
        row = self.ref.countries.get((country or "").upper())
        en_c, zh_c = _cat_words(cat)
        industry = self.ref.industries[exp.industry_key].name_en if exp.industry_key else "unknown industry"
        industry_zh = self.ref.industries[exp.industry_key].name_zh if exp.industry_key else "行业未知"
        if row is None:
            en = f"Country {country or '?'} not in the reference tables: conservative default exposure ({en_c} {exp.categories[cat]:.0f}/100, {industry})"
            zh = f"国家 {country or '?'} 不在参考表中：按保守默认值计（{zh_c} {exp.categories[cat]:.0f}/100，{industry_zh}）"
        else:
            facts_en, facts_zh = [], []
            if row.cpi is not None:
                facts_en.append(f"CPI {row.cpi:g} ({row.cpi_year})")
                facts_zh.append(f"清廉指数 {row.cpi:g}（{row.cpi_year}）")
            if row.slavery_per_1000 is not None:
                facts_en.append(f"modern slavery {row.slavery_per_1000:g}/1,000 (GSI {row.slavery_year})")
                facts_zh.append(f"现代奴役 {row.slavery_per_1000:g}‰（GSI {row.slavery_year}）")
            if row.child_labour_pct is not None:
                facts_en.append(f"child labour {row.child_labour_pct:g}% (ILO/UNICEF {row.child_labour_year}, regional)")
                facts_zh.append(f"童工 {row.child_labour_pct:g}%（ILO/UNICEF {row.child_labour_year}，区域）")
            en = f"Inherent {en_c} exposure {exp.categories[cat]:.0f}/100: {row.name}, {industry}; " + ", ".join(facts_en)
            zh = f"{zh_c}固有风险 {exp.categories[cat]:.0f}/100：{self._country_zh(row.code, row.name)}，{industry_zh}；" + "，".join(facts_zh)
        return Reason("inherent", cat, w_inh * exp.categories[cat], round(exp.categories[cat], 1), en, zh)

    def _country_zh(self, code: str, fallback: str) -> str:
        cache = self.__dict__.setdefault("_zh_names", {})
        if code not in cache:
            cache[code] = country_zh(code, fallback)
        return cache[code]

    def _top_reasons(self, cands: list[Reason], triggers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        top = int(self.m["reasons"]["top"])
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for t in triggers:
            key = (t["kind"], t["category"])
            if key in seen:
                continue
            seen.add(key)
            en_c, zh_c = _cat_words(t["category"])
            if t["kind"] == "zero_tolerance_finding":
                en, zh = (f"RED LINE: open zero-tolerance audit finding on {en_c}",
                          f"红线：存在未关闭的{zh_c}零容忍审核发现")
            elif t["kind"] == "confirmed_alert":
                en, zh = f"RED LINE: confirmed {en_c} alert", f"红线：{zh_c}预警已确认"
            else:
                en, zh = (f"RED LINE: {en_c} news confirmed by an analyst",
                          f"红线：{zh_c}舆情已经分析师确认")
            out.append({"factor": "red_line", "category": t["category"], "weight": 100.0, "value": t["kind"], "en": en, "zh": zh})

        def order(r: Reason) -> tuple[float, int, str]:
            cat_rank = RED_LINES.index(r.category) if r.category in RED_LINES else 4
            return (-abs(r.points), cat_rank, r.factor)

        for r in sorted(cands, key=order):
            if len(out) >= top:
                break
            if r.points == 0.0 and r.factor != "impact":
                continue
            out.append(r.as_dict())
        return out


SEVERITY_ORDER: dict[str, int] = {"zero_tolerance": 0, "major": 1, "minor": 2, "observation": 3}
RESULT_ZH: dict[str, str] = {"pass": "通过", "fail": "未通过", "conditional": "有条件通过",
                             "certified": "已认证", "not_certified": "未认证"}


def spend_percentiles(spends: Iterable[float | None]):  # type: ignore[no-untyped-def]
    """A function spend -> share of the supply base with spend <= it (0..1), from all known spends."""
    import bisect

    values = sorted(float(v) for v in spends if v is not None)
    n = len(values)

    def percentile(spend: float | None) -> float | None:
        if spend is None or n == 0:
            return None
        return bisect.bisect_right(values, float(spend)) / n

    return percentile
