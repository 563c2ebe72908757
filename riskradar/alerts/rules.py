"""Detection rules: each reads only evidence that is new since its watermark.

Rules (switched and tuned in ``config/alerts.toml``):

* ``news`` — an article linked to a supplier (``ArticleSupplierLink``) carrying a red-line tag
  (``ArticleTag``: decided, probability ≥ the category's threshold, not dismissed by an analyst).
  New evidence is a new tag (watermark ``news_tags``) or a new link of an already-read tag
  (``news_links``: e.g. a supplier imported after the article was stored).
* ``audit_finding`` — an open finding of a configured severity (zero tolerance) in a red-line
  category (watermark ``audit_findings``).
* ``agreement`` — for a supplier in a configured tier (high, red line): its current agreement
  is refused or expired, or signed without every red-line clause. Re-checked when an agreement
  changes (``agreements``, by ``updated_at``) or the supplier gets a snapshot in such a tier
  (``agreement_snapshots``).
* ``tier_change`` — a risk snapshot moving a supplier up into a configured tier
  (``tier_snapshots``).

Watermarks live in ``alert_watermarks`` and advance in the same transaction as the alerts they
produced, so a restart neither loses evidence nor alerts twice. (On PostgreSQL an id handed out
by a transaction still open while a rule reads could in principle be passed; the scheduler runs
detection after the writers of a cycle have committed, so this is not seen in practice.)
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar.alerts.config import AlertConfig
from riskradar.alerts.incidents import Evidence
from riskradar.alerts.labels import (
    agreement_status_name,
    category_name,
    scheme_name,
    tier_name,
)
from riskradar.domain import (
    Agreement,
    AlertWatermark,
    Article,
    ArticleSupplierLink,
    ArticleTag,
    AuditFinding,
    RiskSnapshot,
    Supplier,
)
from riskradar.domain.base import RISK_TIERS

TIER_RANK = {tier: i for i, tier in enumerate(RISK_TIERS)}


def get_watermark(session: Session, rule: str) -> AlertWatermark:
    """The watermark row of ``rule`` (created at zero when missing)."""
    wm = session.get(AlertWatermark, rule)
    if wm is None:
        wm = AlertWatermark(rule=rule, last_id=0, last_at=None)
        session.add(wm)
    return wm


def _note_batch(session: Session, rows: list, limit: int) -> None:
    """Tell the caller more rows are waiting when a rule read a full batch."""
    if len(rows) >= limit:
        session.info["alerts_more"] = True


def _next_ids(session: Session, column: Any, after: int, limit: int) -> list[int]:
    """The next ``limit`` values of the id ``column`` above the watermark ``after``, in order
    (a full batch tells the caller more are waiting)."""
    ids = list(session.scalars(select(column).where(column > after).order_by(column).limit(limit)))
    _note_batch(session, ids, limit)
    return ids


def _snippets(tag: ArticleTag) -> list[dict]:
    out = []
    for item in tag.evidence or []:
        if isinstance(item, dict) and item.get("text"):
            out.append({"text": str(item["text"])[:300], "weight": item.get("weight")})
        elif isinstance(item, str):
            out.append({"text": item[:300]})
    return out[:3]


def _tagged_link_evidence(session: Session, cfg: AlertConfig, *conditions: Any) -> list[Evidence]:
    """News evidence for (tag, supplier link, article) rows matching ``conditions``, in tag order."""
    rows = session.execute(
        select(ArticleTag, ArticleSupplierLink, Article)
        .join(ArticleSupplierLink, ArticleSupplierLink.article_id == ArticleTag.article_id)
        .join(Article, Article.id == ArticleTag.article_id)
        .where(*conditions)
        .order_by(ArticleTag.id)
    ).all()
    return [ev for ev in (_news_evidence(cfg, t, ln, a) for t, ln, a in rows) if ev]


def _news_evidence(cfg: AlertConfig, tag: ArticleTag, link: ArticleSupplierLink, article: Article) -> Evidence | None:
    rule = cfg.rule("news")
    if tag.label not in cfg.red_lines or tag.review_status == "dismissed":
        return None
    if rule.get("require_decided", True) and not tag.decided:
        return None
    if tag.probability is None or tag.probability < cfg.news_threshold(tag.label):
        return None
    if (link.confidence or 0) < float(rule.get("min_link_confidence", 0.0)):
        return None
    snippets = _snippets(tag) or [{"text": (article.title or "")[:300]}]
    return Evidence(
        supplier_id=link.supplier_id, category=tag.label, rule="news", kind="article", ref_id=article.id,
        title=(article.title or "")[:500], url=article.url, snippets=snippets,
        weight=max(1, article.source_count or 1), severity="high",
    )


def news_rule(session: Session, cfg: AlertConfig) -> list[Evidence]:
    """Rule (a): red-line tags on supplier-linked articles, new since the watermarks."""
    if not cfg.rule_enabled("news"):
        return []
    limit = cfg.batch_size
    wm_tags = get_watermark(session, "news_tags")
    wm_links = get_watermark(session, "news_links")
    old_tag_wm = wm_tags.last_id
    out: list[Evidence] = []
    red = list(cfg.red_lines)

    # Links added since last time, for tags read before (tags newer than that come below).
    link_ids = _next_ids(session, ArticleSupplierLink.id, wm_links.last_id, limit)
    if link_ids:
        out += _tagged_link_evidence(session, cfg, ArticleSupplierLink.id.in_(link_ids),
                                     ArticleTag.id <= old_tag_wm, ArticleTag.label.in_(red))
        wm_links.last_id = max(link_ids)

    # Tags added since last time, with all their links.
    tag_ids = _next_ids(session, ArticleTag.id, old_tag_wm, limit)
    if tag_ids:
        out += _tagged_link_evidence(session, cfg, ArticleTag.id.in_(tag_ids), ArticleTag.label.in_(red))
        wm_tags.last_id = max(tag_ids)
    return out


def audit_rule(session: Session, cfg: AlertConfig) -> list[Evidence]:
    """Rule (b): open zero-tolerance findings in a red-line category, new since the watermark."""
    if not cfg.rule_enabled("audit_finding"):
        return []
    wm = get_watermark(session, "audit_findings")
    ids = _next_ids(session, AuditFinding.id, wm.last_id, cfg.batch_size)
    if not ids:
        return []
    severities = list(cfg.rule("audit_finding").get("severities", ["zero_tolerance"]))
    findings = session.scalars(
        select(AuditFinding).where(AuditFinding.id.in_(ids), AuditFinding.status == "open",
                                   AuditFinding.severity.in_(severities),
                                   AuditFinding.category.in_(list(cfg.red_lines)))
        .order_by(AuditFinding.id)
    ).all()
    wm.last_id = max(ids)
    out = []
    for f in findings:
        scheme = f.audit.scheme if f.audit is not None else ""
        head = f"{scheme_name(scheme, 'en')} {f.finding_ref}: {f.category_raw or category_name(f.category, 'en')}".strip()
        # The auditor's own words (category_raw, description) stay as written; the frame is Chinese.
        head_zh = f"{scheme_name(scheme, 'zh')} 问题 {f.finding_ref}：{category_name(f.category, 'zh')}".strip()
        text = (f.description or "").strip()
        out.append(Evidence(
            supplier_id=f.supplier_id, category=f.category, rule="audit_finding", kind="finding", ref_id=f.id,
            title=f"{head} — {text}"[:500] if text else head[:500], url=None,
            title_zh=f"{head_zh} — {text}"[:500] if text else head_zh[:500],
            snippets=[{"text": (text or head)[:300], "severity": f.severity,
                       "cap_due_date": f.cap_due_date.isoformat() if f.cap_due_date else None}],
            severity="critical",
        ))
    return out


def _current_agreement(agreements: list[Agreement]) -> Agreement | None:
    """The supplier's governing agreement: the latest by signing date, then by id."""
    if not agreements:
        return None
    return max(agreements, key=lambda a: (a.signed_date or date.min, a.id))


def agreement_rule(session: Session, cfg: AlertConfig, *, today: date | None = None) -> list[Evidence]:
    """Rule (c): refused/expired agreement or missing red-line clauses at a high-tier supplier."""
    if not cfg.rule_enabled("agreement"):
        return []
    rule = cfg.rule("agreement")
    tiers = list(rule.get("tiers", ["high", "red_line"]))
    statuses = set(rule.get("statuses", ["refused", "expired"]))
    today = today or date.today()
    wm_agr = get_watermark(session, "agreements")
    wm_snap = get_watermark(session, "agreement_snapshots")
    supplier_ids: set[int] = set()

    q = select(Agreement.supplier_id, Agreement.updated_at).order_by(Agreement.updated_at, Agreement.id).limit(cfg.batch_size)
    if wm_agr.last_at is not None:
        q = q.where(Agreement.updated_at > wm_agr.last_at)
    changed = session.execute(q).all()
    _note_batch(session, changed, cfg.batch_size)
    if changed:
        supplier_ids.update(sid for sid, _ in changed)
        wm_agr.last_at = max(at for _, at in changed)
    snaps = session.execute(
        select(RiskSnapshot.id, RiskSnapshot.supplier_id, RiskSnapshot.tier, RiskSnapshot.previous_tier)
        .where(RiskSnapshot.id > wm_snap.last_id).order_by(RiskSnapshot.id).limit(cfg.batch_size)
    ).all()
    _note_batch(session, snaps, cfg.batch_size)
    if snaps:
        wm_snap.last_id = max(row[0] for row in snaps)
        # Only snapshots that bring the supplier into a watched tier (not every rescoring).
        supplier_ids.update(sup for _, sup, tier, prev in snaps if tier in tiers and prev not in tiers)
    if not supplier_ids:
        return []
    suppliers = session.scalars(select(Supplier).where(Supplier.id.in_(supplier_ids), Supplier.risk_tier.in_(tiers))).all()
    if not suppliers:
        return []
    by_supplier: dict[int, list[Agreement]] = {}
    for agr in session.scalars(select(Agreement).where(Agreement.supplier_id.in_([s.id for s in suppliers]))):
        by_supplier.setdefault(agr.supplier_id, []).append(agr)
    out = []
    for sup in suppliers:
        agr = _current_agreement(by_supplier.get(sup.id, []))
        if agr is None:
            continue
        status = agr.status
        if status == "signed" and agr.expiry_date is not None and agr.expiry_date < today:
            status = "expired"
        tier = tier_name(sup.risk_tier, "en")
        tier_zh = tier_name(sup.risk_tier, "zh")
        if status in statuses:
            title = f"CSR agreement {agr.version} {agreement_status_name(status, 'en')} (supplier tier: {tier})"
            title_zh = f"CSR 协议 {agr.version} {agreement_status_name(status, 'zh')}（供应商风险等级：{tier_zh}）"
            snippet = {"text": title, "zh": title_zh, "status": status, "version": agr.version,
                       "expiry_date": agr.expiry_date.isoformat() if agr.expiry_date else None}
        elif status == "signed" and rule.get("missing_clauses", True) and agr.missing_clauses():
            missing = agr.missing_clauses()
            title = (f"CSR agreement {agr.version} lacks red-line clauses: "
                     f"{', '.join(category_name(c, 'en') for c in missing)} (tier: {tier})")
            title_zh = (f"CSR 协议 {agr.version} 缺少红线条款：{'、'.join(category_name(c, 'zh') for c in missing)}"
                        f"（风险等级：{tier_zh}）")
            snippet = {"text": title, "zh": title_zh, "missing_clauses": missing, "version": agr.version}
        else:
            continue
        out.append(Evidence(supplier_id=sup.id, category="agreement", rule="agreement", kind="agreement",
                            ref_id=agr.id, title=title, title_zh=title_zh, snippets=[snippet],
                            severity="critical" if sup.risk_tier == "red_line" else "high"))
    return out


def tier_rule(session: Session, cfg: AlertConfig) -> list[Evidence]:
    """Rule (d): a snapshot moving its supplier up into a configured tier."""
    if not cfg.rule_enabled("tier_change"):
        return []
    rule = cfg.rule("tier_change")
    into = list(rule.get("into_tiers", ["high", "red_line"]))
    first = bool(rule.get("include_first_score", False))
    wm = get_watermark(session, "tier_snapshots")
    ids = _next_ids(session, RiskSnapshot.id, wm.last_id, cfg.batch_size)
    if not ids:
        return []
    snaps = session.scalars(select(RiskSnapshot).where(RiskSnapshot.id.in_(ids), RiskSnapshot.tier.in_(into))
                            .order_by(RiskSnapshot.id)).all()
    wm.last_id = max(ids)
    out = []
    for snap in snaps:
        prev = snap.previous_tier
        if prev is None and not first:
            continue
        if prev is not None and TIER_RANK.get(prev, -1) >= TIER_RANK.get(snap.tier, -1):
            continue
        reasons = [r for r in (snap.reasons or []) if isinstance(r, dict)][:3]
        title = f"Risk tier {tier_name(prev, 'en') or 'unscored'} → {tier_name(snap.tier, 'en')} (score {snap.score:.0f})"
        title_zh = f"风险等级 {tier_name(prev, 'zh') or '未评分'} → {tier_name(snap.tier, 'zh')}（风险分 {snap.score:.0f}）"
        snippets = ([{"text": r.get("en") or r.get("zh") or r.get("factor"), "zh": r.get("zh")} for r in reasons]
                    or [{"text": title, "zh": title_zh}])
        out.append(Evidence(supplier_id=snap.supplier_id, category="tier_change", rule="tier_change", kind="snapshot",
                            ref_id=snap.id, title=title, title_zh=title_zh, snippets=snippets,
                            severity="critical" if snap.tier == "red_line" else "high"))
    return out


RULES: dict[str, Callable[[Session, AlertConfig], list[Evidence]]] = {
    "news": news_rule,
    "audit_finding": audit_rule,
    "agreement": agreement_rule,
    "tier_change": tier_rule,
}


def watermarks(session: Session) -> dict[str, dict]:
    """Every rule's watermark (for ``alerts detect --json`` and diagnostics)."""
    return {wm.rule: {"last_id": wm.last_id, "last_at": wm.last_at}
            for wm in session.scalars(select(AlertWatermark).order_by(AlertWatermark.rule))}


__all__ = ["RULES", "agreement_rule", "audit_rule", "get_watermark", "news_rule", "tier_rule", "watermarks"]
