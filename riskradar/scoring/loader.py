"""Load the scoring inputs of many suppliers with a few aggregate queries (no per-supplier query).

Each query reads one kind of evidence for all requested suppliers (``GROUP BY supplier`` where the
model only needs sums), so a full run over 100k suppliers is a handful of scans.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from sqlalchemy import String, and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from riskradar.domain import (
    Agreement,
    Alert,
    Article,
    ArticleSource,
    ArticleSupplierLink,
    ArticleTag,
    Audit,
    AuditFinding,
    Feed,
    Supplier,
)
from riskradar.domain.base import CLASSIFIER_LABELS, RED_LINES
from riskradar.scoring.model import AgreementInfo, AuditInfo, FindingGroup, NewsGroup, SupplierInputs

_CHUNK = 5000
_NEWS_BUCKET_DAYS = 7


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _scoped(session: Session, stmt, column, ids: Sequence[int] | None) -> list:  # type: ignore[no-untyped-def]
    """Rows of ``stmt`` for all suppliers (``ids`` None) or chunk-wise for ``ids``."""
    if ids is None:
        return session.execute(stmt).all()
    rows: list = []  # type: ignore[type-arg]
    for chunk in _chunks(ids):
        rows.extend(session.execute(stmt.where(column.in_(chunk))).all())
    return rows


def _text_date(column):  # type: ignore[no-untyped-def]
    """A DATE column read as its ISO text: parsed by :func:`_as_date` (cached ``fromisoformat``),
    much cheaper than the SQLite dialect's per-row regular expression over 500k rows."""
    return type_coerce(column, String())


@lru_cache(maxsize=100_000)
def _parse_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _as_date(value: date | datetime | str | None) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value  # type: ignore[return-value]
    if isinstance(value, datetime):
        return value.date()
    return _parse_date(str(value))


def load_suppliers(session: Session, ids: Sequence[int] | None) -> dict[int, SupplierInputs]:
    """Master data of the suppliers (all when ``ids`` is None)."""
    stmt = select(
        Supplier.id, Supplier.external_ref, Supplier.name_zh, Supplier.name_en, Supplier.country,
        Supplier.industry, Supplier.products, Supplier.annual_spend, Supplier.criticality,
        Supplier.tier_level, Supplier.risk_tier,
    ).order_by(Supplier.id)
    out: dict[int, SupplierInputs] = {}
    for r in _scoped(session, stmt, Supplier.id, ids):
        out[r[0]] = SupplierInputs(
            supplier_id=r[0], external_ref=r[1], name=r[2] or r[3] or r[1], country=r[4], industry=r[5],
            products=r[6], annual_spend=r[7], criticality=r[8], tier_level=r[9], previous_tier=r[10],
        )
    return out


def all_spends(session: Session) -> list[float]:
    """Annual spend of every supplier with a known spend (for spend percentiles)."""
    return [r[0] for r in session.execute(select(Supplier.annual_spend).where(Supplier.annual_spend.is_not(None)))]


def load_audits(session: Session, suppliers: dict[int, SupplierInputs], ids: Sequence[int] | None) -> None:
    """Attach each supplier's latest audit per scheme (and SME preconditions).

    Reads the audits of the suppliers and keeps the latest per scheme in Python: one indexed scan,
    cheap for one supplier and for all of them.
    """
    stmt = select(
        Audit.supplier_id, Audit.scheme, _text_date(Audit.audit_date), Audit.result, Audit.grade, Audit.score,
        case((Audit.scheme == "sme", Audit.raw), else_=literal(None)), Audit.id,
    )
    best: dict[tuple[int, str], tuple] = {}
    for r in _scoped(session, stmt, Audit.supplier_id, ids):
        key = (r[0], r[1])
        d = _as_date(r[2])
        cur = best.get(key)
        if cur is None or (d, r[7]) > (cur[0], cur[1][7]):
            best[key] = (d, r)
    for (sid, scheme), (d, r) in best.items():
        s = suppliers.get(sid)
        if s is None:
            continue
        pre = None
        raw = r[6]
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = None
        if scheme == "sme" and isinstance(raw, dict):
            value = raw.get("preconditions_met", raw.get("preconditions"))
            if isinstance(value, str):
                value = value.strip().lower() not in {"0", "false", "no", "n", "否", ""}
            pre = None if value is None else bool(value)
        s.audits.append(AuditInfo(scheme=scheme, audit_date=d, result=r[3], grade=r[4], score=r[5],  # type: ignore[arg-type]
                                  preconditions_met=pre))


def load_findings(session: Session, suppliers: dict[int, SupplierInputs], ids: Sequence[int] | None, today: date) -> None:
    """Attach finding counts grouped by category, severity, status, overdue and audit date."""
    overdue = case((and_(AuditFinding.status == "open", AuditFinding.cap_due_date < today), 1), else_=0)
    stmt = (
        select(AuditFinding.supplier_id, AuditFinding.category, AuditFinding.severity, AuditFinding.status,
               overdue.label("overdue"), _text_date(Audit.audit_date), func.count())
        .join(Audit, Audit.id == AuditFinding.audit_id)
        .group_by(AuditFinding.supplier_id, AuditFinding.category, AuditFinding.severity, AuditFinding.status,
                  overdue, Audit.audit_date)
    )
    get = suppliers.get
    for sid, category, severity, status, is_overdue, day, n in _scoped(session, stmt, AuditFinding.supplier_id, ids):
        s = get(sid)
        if s is not None:
            s.findings.append(FindingGroup(category, severity, status, bool(is_overdue), _as_date(day), int(n)))  # type: ignore[arg-type]


def load_agreements(session: Session, suppliers: dict[int, SupplierInputs], ids: Sequence[int] | None) -> None:
    """Attach each supplier's current agreement: the latest signed date, then the highest id."""
    stmt = select(Agreement.supplier_id, Agreement.status, _text_date(Agreement.expiry_date),
                  Agreement.clauses_acknowledged, Agreement.version, _text_date(Agreement.signed_date), Agreement.id)
    best: dict[int, tuple] = {}
    for r in _scoped(session, stmt, Agreement.supplier_id, ids):
        key = (_as_date(r[5]) or date.min, r[6])
        cur = best.get(r[0])
        if cur is None or key > cur[0]:
            best[r[0]] = (key, r)
    for sid, (_, r) in best.items():
        s = suppliers.get(sid)
        if s is not None:
            clauses = tuple(sorted(str(c) for c in (r[3] or [])))
            s.agreement = AgreementInfo(status=r[1], expiry_date=_as_date(r[2]), clauses=clauses, version=r[4])


def _age_days_expr(session: Session, now: datetime):  # type: ignore[no-untyped-def]
    """SQL expression: whole days since the article was published (fetched when no date)."""
    when = func.coalesce(Article.published_at, Article.fetched_at)
    if session.get_bind().dialect.name == "sqlite":
        now_naive = now.astimezone(timezone.utc).replace(tzinfo=None)
        return func.julianday(literal(now_naive.strftime("%Y-%m-%d %H:%M:%S"))) - func.julianday(when)
    return func.extract("epoch", literal(now) - when) / 86400.0


def load_news(session: Session, suppliers: dict[int, SupplierInputs], ids: Sequence[int] | None, now: datetime,
              *, min_probability: float, default_credibility: float) -> None:
    """Attach linked, classified news grouped per label, review status and weekly age bucket.

    Weight = probability x feed credibility (best outlet of the story) x link confidence; dismissed
    tags are skipped, unreviewed tags below ``min_probability`` too.
    """
    # Correlated (indexed) lookup: fast for one supplier and for all of them.
    cred = (
        select(func.max(Feed.credibility))
        .join(ArticleSource, ArticleSource.feed_id == Feed.id)
        .where(ArticleSource.article_id == ArticleTag.article_id)
        .scalar_subquery()
    )
    age = _age_days_expr(session, now)
    bucket = func.cast(age / _NEWS_BUCKET_DAYS, _int_type()).label("bucket")
    weight = ArticleTag.probability * func.coalesce(cred, default_credibility) * ArticleSupplierLink.confidence
    stmt = (
        select(ArticleSupplierLink.supplier_id, ArticleTag.label, ArticleTag.review_status, bucket,
               func.sum(weight), func.count(), func.min(age))
        .select_from(ArticleTag)
        .join(ArticleSupplierLink, ArticleSupplierLink.article_id == ArticleTag.article_id)
        .join(Article, Article.id == ArticleTag.article_id)
        .where(ArticleTag.label.in_(CLASSIFIER_LABELS))
        .where(ArticleTag.review_status != "dismissed")
        .where(or_(ArticleTag.review_status == "confirmed", ArticleTag.probability >= min_probability))
        .group_by(ArticleSupplierLink.supplier_id, ArticleTag.label, ArticleTag.review_status, bucket)
    )
    for r in _scoped(session, stmt, ArticleSupplierLink.supplier_id, ids):
        s = suppliers.get(r[0])
        if s is None:
            continue
        b = int(r[3] or 0)
        # The bucket's middle, but never younger than its youngest article (confirmed events use min).
        age_days = max(0.0, float(r[6] if r[6] is not None else b * _NEWS_BUCKET_DAYS))
        if r[2] != "confirmed":
            age_days = max(age_days, b * _NEWS_BUCKET_DAYS + _NEWS_BUCKET_DAYS / 2.0)
        s.news.append(NewsGroup(label=r[1], review_status=r[2], age_days=age_days, weight=float(r[4] or 0.0),
                                count=int(r[5])))


def _int_type():  # type: ignore[no-untyped-def]
    from sqlalchemy import Integer

    return Integer()


def load_confirmed_alerts(session: Session, suppliers: dict[int, SupplierInputs], ids: Sequence[int] | None) -> None:
    """Attach the red-line categories of confirmed alerts."""
    stmt = (
        select(Alert.supplier_id, Alert.category)
        .where(Alert.status == "confirmed", Alert.category.in_(RED_LINES), Alert.supplier_id.is_not(None))
        .distinct()
    )
    for r in _scoped(session, stmt, Alert.supplier_id, ids):
        s = suppliers.get(r[0])
        if s is not None and r[1] not in s.confirmed_alerts:
            s.confirmed_alerts.append(r[1])


def load_inputs(session: Session, ids: Iterable[int] | None, *, today: date, now: datetime,
                min_probability: float = 0.3, default_credibility: float = 0.7) -> dict[int, SupplierInputs]:
    """All inputs of the given suppliers (all when ``ids`` is None), keyed by supplier id."""
    id_list = None if ids is None else sorted(set(ids))
    suppliers = load_suppliers(session, id_list)
    if not suppliers:
        return suppliers
    load_audits(session, suppliers, id_list)
    load_findings(session, suppliers, id_list, today)
    load_agreements(session, suppliers, id_list)
    load_news(session, suppliers, id_list, now, min_probability=min_probability, default_credibility=default_credibility)
    load_confirmed_alerts(session, suppliers, id_list)
    for s in suppliers.values():
        # Deterministic order whatever the database returned.
        s.audits.sort(key=lambda a: (a.scheme, a.audit_date))
        s.findings.sort(key=lambda f: (f.category, f.severity, f.status, f.overdue, f.audit_date))
        s.news.sort(key=lambda n: (n.label, n.review_status, n.age_days))
    return suppliers
