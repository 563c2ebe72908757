"""Aggregate queries behind the dashboard and the supplier list.

Every query reads the denormalised ``Supplier.risk_score``/``risk_tier`` or the latest
``RiskSnapshot`` per supplier (max id, served by the (supplier_id, computed_at) index), and
aggregates in SQL so the page stays fast at 100k suppliers / 1M articles. Results are plain
dicts; :func:`dashboard_data` keeps them for a short TTL because the same view is requested by
many users at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Sequence

from sqlalchemy import case, distinct, exists, false, func, literal_column, or_, select
from sqlalchemy.orm import Session

from riskradar.domain.agreements import Agreement
from riskradar.domain.alerts import Alert
from riskradar.domain.audits import Audit, AuditFinding
from riskradar.domain.base import RED_LINES, RISK_TIERS
from riskradar.domain.scoring import RiskSnapshot
from riskradar.domain.suppliers import Supplier
from riskradar.services.name_search import NameSearchIndex, clean_query, name_condition

OPEN_ALERT_STATUSES = ("new", "acknowledged", "confirmed")
INDEXED_SORTS = ("name", "-name", "ref", "-ref", "score", "-score")
TIER_RANK = {"low": 0, "medium": 1, "high": 2, "red_line": 3}
SORTS: dict[str, Any] = {
    "name": (Supplier.name_zh.asc(), Supplier.id.asc()),
    "-name": (Supplier.name_zh.desc(), Supplier.id.desc()),
    "ref": (Supplier.external_ref.asc(),),
    "-ref": (Supplier.external_ref.desc(),),
    "score": (Supplier.risk_score.asc(), Supplier.id.asc()),
    "-score": (Supplier.risk_score.desc(), Supplier.id.desc()),
    "country": (Supplier.country.asc(), Supplier.id.asc()),
    "-country": (Supplier.country.desc(), Supplier.id.desc()),
    "spend": (Supplier.annual_spend.asc(), Supplier.id.asc()),
    "-spend": (Supplier.annual_spend.desc(), Supplier.id.desc()),
}


@dataclass(frozen=True)
class Filters:
    """Dashboard / supplier-list filters (already validated by the web layer)."""

    country: str | None = None
    region: str | None = None
    industry: str | None = None
    tier: str | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    likelihood_band: int | None = None
    impact_band: int | None = None
    q: str | None = None

    def supplier_filtered(self) -> bool:
        """True when any filter restricts the set of suppliers."""
        return any(v is not None for v in (self.country, self.region, self.industry, self.tier,
                                            self.likelihood_band, self.impact_band, self.q))

    def key(self) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in asdict(self).items() if v is not None))


def latest_snapshots():  # type: ignore[no-untyped-def]
    """Subquery (supplier_id, sid): the newest snapshot id of each supplier."""
    return (select(RiskSnapshot.supplier_id.label("supplier_id"), func.max(RiskSnapshot.id).label("sid"))
            .group_by(RiskSnapshot.supplier_id).subquery("latest"))


def ids_condition(column: Any, ids: Sequence[int]) -> Any:
    """``column IN (ids)`` with the ids written into the SQL as integer literals.

    A name search can match thousands of suppliers; as bound parameters each id went through
    SQLAlchemy's statement compiler (about 9 ms for 3,000 ids, longer than the query). ``int()``
    makes the literals safe to inline."""
    if not ids:
        return false()
    return column.op("IN")(literal_column("(" + ",".join(str(int(i)) for i in ids) + ")"))


def supplier_conditions(f: Filters, *, bypass_filter_indexes: bool = False,
                        name_ids: list[int] | None = None) -> list[Any]:
    """WHERE clauses on :class:`Supplier` for the filters.

    ``bypass_filter_indexes`` writes the equality filters as ``column || ''`` so the database
    walks the index of the ORDER BY column instead of sorting every match (much faster for a
    filter that matches a large share of the table, see :func:`supplier_page`). ``name_ids``:
    the suppliers matching ``f.q`` found by a :class:`NameSearchIndex` (else SQL ``LIKE``).
    """
    def col(column: Any) -> Any:
        return column.concat("") if bypass_filter_indexes else column

    conds: list[Any] = []
    if f.country:
        conds.append(col(Supplier.country) == f.country)
    if f.region:
        conds.append(col(Supplier.region) == f.region)
    if f.industry:
        conds.append(col(Supplier.industry) == f.industry)
    if f.tier:
        conds.append(col(Supplier.risk_tier) == f.tier)
    if name_ids is not None:
        conds.append(ids_condition(Supplier.id, name_ids))
    elif f.q and clean_query(f.q):
        conds.append(name_condition(f.q))
    if f.likelihood_band is not None or f.impact_band is not None:
        latest = latest_snapshots()
        cell = select(latest.c.supplier_id).join(RiskSnapshot, RiskSnapshot.id == latest.c.sid)
        if f.likelihood_band is not None:
            cell = cell.where(RiskSnapshot.likelihood_band == f.likelihood_band)
        if f.impact_band is not None:
            cell = cell.where(RiskSnapshot.impact_band == f.impact_band)
        conds.append(Supplier.id.in_(cell))
    return conds


def _supplier_ids(f: Filters):  # type: ignore[no-untyped-def]
    return select(Supplier.id).where(*supplier_conditions(f))


# --- tiles -----------------------------------------------------------------------------------

def tier_counts(session: Session, f: Filters) -> dict[str, int]:
    """Suppliers per risk tier (``unscored`` for suppliers without a score yet)."""
    rows = session.execute(select(Supplier.risk_tier, func.count()).where(*supplier_conditions(f))
                           .group_by(Supplier.risk_tier)).all()
    counts = {tier: 0 for tier in RISK_TIERS}
    counts["unscored"] = 0
    for tier, n in rows:
        counts[tier if tier in counts else "unscored"] += n
    return counts


def open_redline_alerts(session: Session, f: Filters) -> int:
    """Open (new, acknowledged, confirmed) alerts in a red-line category."""
    categories = (f.category,) if f.category in RED_LINES else RED_LINES
    stmt = select(func.count()).select_from(Alert).where(Alert.status.in_(OPEN_ALERT_STATUSES),
                                                         Alert.category.in_(categories))
    if f.supplier_filtered():
        stmt = stmt.where(Alert.supplier_id.in_(_supplier_ids(f)))
    return int(session.scalar(stmt) or 0)


def agreement_coverage(session: Session, f: Filters, today: date) -> dict[str, Any]:
    """Share of suppliers with a signed, unexpired CSR agreement."""
    total = int(session.scalar(select(func.count()).select_from(Supplier).where(*supplier_conditions(f))) or 0)
    stmt = (select(func.count(distinct(Agreement.supplier_id)))
            .where(Agreement.status == "signed",
                   or_(Agreement.expiry_date.is_(None), Agreement.expiry_date >= today)))
    if f.supplier_filtered():
        stmt = stmt.where(Agreement.supplier_id.in_(_supplier_ids(f)))
    covered = int(session.scalar(stmt) or 0)
    return {"covered": covered, "total": total, "share": (covered / total) if total else None}


def audits_overdue(session: Session, f: Filters, today: date, validity_months: int) -> int:
    """Suppliers whose latest audit is older than the validity period, plus high / red-line
    suppliers never audited (both need an audit now)."""
    cutoff = today - timedelta(days=int(validity_months * 30.44))
    last = select(Audit.supplier_id, func.max(Audit.audit_date).label("last")).group_by(Audit.supplier_id)
    if f.supplier_filtered():
        last = last.where(Audit.supplier_id.in_(_supplier_ids(f)))
    stale = session.scalar(select(func.count()).select_from(
        last.having(func.max(Audit.audit_date) < cutoff).subquery("la")))
    never = session.scalar(select(func.count()).select_from(Supplier).where(
        Supplier.risk_tier.in_(("high", "red_line")), *supplier_conditions(f),
        ~exists().where(Audit.supplier_id == Supplier.id)))
    return int(stale or 0) + int(never or 0)


def caps_overdue(session: Session, f: Filters, today: date) -> int:
    """Open audit findings whose corrective-action due date has passed."""
    stmt = select(func.count()).select_from(AuditFinding).where(
        AuditFinding.status == "open", AuditFinding.cap_due_date < today)
    if f.category:
        stmt = stmt.where(AuditFinding.category == f.category)
    if f.supplier_filtered():
        stmt = stmt.where(AuditFinding.supplier_id.in_(_supplier_ids(f)))
    return int(session.scalar(stmt) or 0)


# --- charts ----------------------------------------------------------------------------------

def risk_matrix(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Suppliers and spend per risk-map cell (likelihood band × impact band, 1..5 each)."""
    latest = latest_snapshots()
    stmt = (select(RiskSnapshot.likelihood_band, RiskSnapshot.impact_band, func.count(),
                   func.coalesce(func.sum(Supplier.annual_spend), 0.0))
            .select_from(latest)
            .join(RiskSnapshot, RiskSnapshot.id == latest.c.sid)
            .join(Supplier, Supplier.id == latest.c.supplier_id)
            .where(*supplier_conditions(Filters(**{**asdict(f), "likelihood_band": None, "impact_band": None})))
            .group_by(RiskSnapshot.likelihood_band, RiskSnapshot.impact_band))
    return [{"likelihood_band": int(lb), "impact_band": int(ib), "count": int(n), "spend": float(spend or 0)}
            for lb, ib, n, spend in session.execute(stmt)]


def country_risk(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Per country: suppliers, mean risk score, suppliers in the high or red-line tier."""
    high = func.sum(case((Supplier.risk_tier.in_(("high", "red_line")), 1), else_=0))
    stmt = (select(Supplier.country, func.count(), func.avg(Supplier.risk_score), high)
            .where(*supplier_conditions(f)).group_by(Supplier.country))
    return [{"country": c, "count": int(n), "avg_score": float(avg) if avg is not None else None, "high": int(h or 0)}
            for c, n, avg, h in session.execute(stmt)]


def tier_distribution(session: Session, f: Filters, by: str, *, top: int = 12) -> list[dict[str, Any]]:
    """Suppliers per (group, tier) where group is ``industry`` or ``region`` (top groups by size)."""
    column = {"industry": Supplier.industry, "region": Supplier.region, "country": Supplier.country}[by]
    conds = supplier_conditions(f)
    groups = [g for (g,) in session.execute(select(column).where(*conds).group_by(column)
                                            .order_by(func.count().desc()).limit(top))]
    if not groups:
        return []
    non_null = [g for g in groups if g is not None]
    group_cond = or_(column.in_(non_null), column.is_(None)) if None in groups else column.in_(non_null)
    stmt = (select(column, Supplier.risk_tier, func.count()).where(*conds, group_cond)
            .group_by(column, Supplier.risk_tier))
    return [{"group": g, "tier": tier or "unscored", "count": int(n)} for g, tier, n in session.execute(stmt)]


def day_start(d: date) -> datetime:
    """Midnight UTC of ``d`` (datetime columns must be compared with datetimes)."""
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


def _month(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def events_range(f: Filters, today: date) -> tuple[date, date]:
    """The period of the red-line events chart: the filter's dates, by default the last 12 months."""
    return f.date_from or (today.replace(day=1) - timedelta(days=335)).replace(day=1), f.date_to or today


def events_months(f: Filters, today: date) -> list[str]:
    """Every month ("YYYY-MM") of :func:`events_range`, so the chart shows quiet months as zero."""
    start, end = events_range(f, today)
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month) and len(months) < 240:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def redline_events(session: Session, f: Filters, today: date) -> list[dict[str, Any]]:
    """Red-line incidents per month and category: alerts in a red-line category (from news, audit
    findings...; one alert per incident however many reports) that were not dismissed as false
    positives, by the month they were first seen, within the date range (default: last 12 months)."""
    start, end = events_range(f, today)
    categories = (f.category,) if f.category in RED_LINES else RED_LINES
    month = _month(session, Alert.first_seen_at)
    stmt = (select(month, Alert.category, func.count())
            .where(Alert.category.in_(categories), Alert.status != "dismissed",
                   Alert.first_seen_at >= day_start(start), Alert.first_seen_at < day_start(end + timedelta(days=1)))
            .group_by(month, Alert.category).order_by(month))
    if f.supplier_filtered():
        stmt = stmt.where(Alert.supplier_id.in_(_supplier_ids(f)))
    return [{"month": m, "label": label, "count": int(n)} for m, label, n in session.execute(stmt)]


def tier_movers(session: Session, f: Filters, today: date, *, limit: int = 10) -> list[dict[str, Any]]:
    """The biggest recent tier changes (largest jump first, newest first)."""
    start = f.date_from or today - timedelta(days=90)
    end = f.date_to or today
    rank_now = case(*((RiskSnapshot.tier == t, r) for t, r in TIER_RANK.items()), else_=0)
    rank_before = case(*((RiskSnapshot.previous_tier == t, r) for t, r in TIER_RANK.items()), else_=0)
    delta = (rank_now - rank_before).label("delta")
    stmt = (select(RiskSnapshot.supplier_id, Supplier.external_ref, Supplier.name_zh, Supplier.name_en,
                   RiskSnapshot.previous_tier, RiskSnapshot.tier, RiskSnapshot.score, RiskSnapshot.computed_at, delta)
            .join(Supplier, Supplier.id == RiskSnapshot.supplier_id)
            .where(RiskSnapshot.previous_tier.is_not(None), RiskSnapshot.previous_tier != RiskSnapshot.tier,
                   RiskSnapshot.computed_at >= day_start(start),
                   RiskSnapshot.computed_at < day_start(end + timedelta(days=1)),
                   *supplier_conditions(Filters(**{**asdict(f), "likelihood_band": None, "impact_band": None})))
            .order_by(func.abs(delta).desc(), RiskSnapshot.computed_at.desc()).limit(limit))
    return [{"supplier_id": sid, "ref": ref, "name_zh": zh, "name_en": en, "from": prev, "to": tier,
             "score": score, "at": at, "delta": int(d)}
            for sid, ref, zh, en, prev, tier, score, at, d in session.execute(stmt)]


def filter_options(session: Session) -> dict[str, list[str]]:
    """Distinct countries, regions and industries for the filter drop-downs."""
    def distinct_values(column: Any, limit: int = 300) -> list[str]:
        return [v for (v,) in session.execute(select(column).where(column.is_not(None)).group_by(column)
                                              .order_by(column).limit(limit))]
    return {"countries": distinct_values(Supplier.country), "regions": distinct_values(Supplier.region),
            "industries": distinct_values(Supplier.industry)}


# --- supplier list ---------------------------------------------------------------------------

def supplier_page(session: Session, f: Filters, *, sort: str = "name", page: int = 1,
                  per_page: int = 50, cache: "TTLCache | None" = None, ttl: float = 0.0,
                  plain: bool = False, name_index: NameSearchIndex | None = None) -> tuple[list[Supplier], int]:
    """One page of suppliers matching ``f`` and the total count (the count may come from
    ``cache`` for ``ttl`` seconds: paging through a list repeats the same count). ``plain=True``
    returns row mappings (column name -> value) instead of ORM objects. ``name_index`` answers
    the name search ``f.q`` from memory instead of a ``LIKE`` scan."""
    name_ids = name_index.find(f.q) if name_index is not None and f.q else None
    conds = supplier_conditions(f, name_ids=name_ids)

    def count() -> int:
        return int(session.scalar(select(func.count()).select_from(Supplier).where(*conds)) or 0)

    if name_ids is not None and f == Filters(q=f.q):
        total = len(name_ids)  # the search is the only filter: its matches are the count
    elif cache is None:
        total = count()
    else:
        total = cache.get_or_compute(("count", str(session.get_bind().url), f.key()), ttl, count)
    order = SORTS.get(sort, SORTS["name"])
    if _walk_sort_index(f, sort) and total:
        everyone = Filters()
        table_rows = (cache.get_or_compute(("count", str(session.get_bind().url), everyone.key()), ttl,
                                           lambda: int(session.scalar(select(func.count()).select_from(Supplier)) or 0))
                      if cache is not None else int(session.scalar(select(func.count()).select_from(Supplier)) or 0))
        # A broad filter (>= 5 % of suppliers): reading the sort index in order and skipping
        # non-matches finds a page long before sorting all matches would.
        if total * 20 >= table_rows:
            conds = supplier_conditions(f, bypass_filter_indexes=True, name_ids=name_ids)
    if plain:
        # Row mappings instead of ORM objects: about half the cost for a JSON page of 50.
        stmt = select(*Supplier.__table__.columns).where(*conds).order_by(*order)
        mapped = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).mappings().all()
        return list(mapped), total  # type: ignore[return-value]
    rows = list(session.scalars(select(Supplier).where(*conds).order_by(*order)
                                .limit(per_page).offset((page - 1) * per_page)))
    return rows, total


def _walk_sort_index(f: Filters, sort: str) -> bool:
    """Whether a broad equality filter should give way to walking the sort column's index.

    Not when a name search narrows the rows (few ids, cheap to sort), and not for a tier filter
    alone sorted by score: ``ix_suppliers_tier_score`` serves that filter and order at once,
    while walking the score index would pass every supplier of the other tiers first (a low
    tier sits at the far end of a descending score walk).
    """
    if sort not in INDEXED_SORTS or f.q or not any((f.country, f.region, f.industry, f.tier)):
        return False
    tier_only = f.tier and not any((f.country, f.region, f.industry))
    return not (tier_only and sort in ("score", "-score"))


def iter_suppliers(session: Session, f: Filters, *, sort: str = "name", chunk: int = 2000):  # type: ignore[no-untyped-def]
    """All suppliers matching ``f`` in chunks (for CSV/XLSX export), without loading all at once."""
    stmt = select(Supplier).where(*supplier_conditions(f)).order_by(*SORTS.get(sort, SORTS["name"]))
    yield from session.scalars(stmt.execution_options(yield_per=chunk))


# --- cache -----------------------------------------------------------------------------------

class TTLCache:
    """A tiny thread-safe cache of computed results for ``ttl`` seconds.

    With ``stale_ttl`` > ``ttl``, an entry older than ``ttl`` (but younger than ``stale_ttl``) is
    still returned at once while one background thread recomputes it (stale-while-revalidate):
    only the very first viewer of a view waits for the aggregate queries. A ``compute`` used in the
    background must not depend on the caller's request (open its own session).

    Concurrent misses on one key compute once: the first caller computes, the others wait for
    its result (under load, 20 clients asking for the same new page must not run 20 queries).

    With a ``shared`` store (a ``diskcache.Cache``; see :meth:`share_through`) a value computed by
    one server process is reused by the others: a miss here first looks there for a copy younger
    than ``ttl``, and every computed value is written there too. Keys must have a stable ``repr``.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._data: dict[Any, tuple[float, Any]] = {}
        self._refreshing: set[Any] = set()
        self._computing: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.shared: Any = None

    def share_through(self, store: Any) -> None:
        """Use ``store`` (``get(key)`` / ``set(key, value, expire=seconds)``, or None) as the
        second level shared by processes."""
        self.shared = store

    def get_or_compute(self, key: Any, ttl: float, compute: Callable[[], Any], *, stale_ttl: float = 0.0) -> Any:
        if ttl <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit and now - hit[0] < ttl:
                return hit[1]
            if hit and now - hit[0] < stale_ttl:
                if key not in self._refreshing:
                    self._refreshing.add(key)
                    threading.Thread(target=self._refresh, args=(key, ttl, compute, stale_ttl), daemon=True).start()
                return hit[1]
            flight = self._computing.get(key)
            leader = flight is None
            if leader:
                flight = self._computing[key] = threading.Lock()
                flight.acquire()
        if not leader:
            with flight:  # released when the leader has stored (or failed to compute) the value
                pass
            with self._lock:
                hit = self._data.get(key)
            if hit is not None:
                return hit[1]
            return self.get_or_compute(key, ttl, compute, stale_ttl=stale_ttl)  # the leader failed
        try:
            computed_at, value = self._fetch_or_compute(key, ttl, compute, stale_ttl)
            self.put(key, value, computed_at=computed_at)
            return value
        finally:
            with self._lock:
                self._computing.pop(key, None)
            flight.release()

    def _fetch_or_compute(self, key: Any, ttl: float, compute: Callable[[], Any],
                          stale_ttl: float) -> tuple[float, Any]:
        """``(monotonic time it was computed, value)``: the shared store's copy when it is younger
        than ``ttl``, else computed now (and written to the shared store)."""
        shared = self.shared
        if shared is None:
            return time.monotonic(), compute()
        name = repr(key)
        try:
            hit = shared.get(name)
        except Exception:  # noqa: BLE001 - the shared level is an optimisation; compute instead
            hit = None
        if hit is not None:
            age = time.time() - hit[0]
            if 0 <= age < ttl:
                return time.monotonic() - age, hit[1]
        value = compute()
        try:
            shared.set(name, (time.time(), value), expire=max(ttl, stale_ttl))
        except Exception:  # noqa: BLE001 - e.g. disk full: this process still has the value
            pass
        return time.monotonic(), value

    def _refresh(self, key: Any, ttl: float, compute: Callable[[], Any], stale_ttl: float) -> None:
        try:
            computed_at, value = self._fetch_or_compute(key, ttl, compute, stale_ttl)
            self.put(key, value, computed_at=computed_at)
        except Exception:  # noqa: BLE001 - keep serving the stale value; the next caller retries
            pass
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def put(self, key: Any, value: Any, *, computed_at: float | None = None) -> None:
        """Store ``value``; its age counts from ``computed_at`` (``time.monotonic()``; default now)."""
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = (time.monotonic() if computed_at is None else computed_at, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def dashboard_data(session: Session, f: Filters, *, today: date, validity_months: int = 24,
                   cache: TTLCache | None = None, ttl: float = 0.0, stale_ttl: float = 0.0,
                   session_factory: Callable[[], Session] | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain data.

    With a ``cache`` the result is kept ``ttl`` seconds; with ``stale_ttl`` and a
    ``session_factory`` an expired result is served while a background thread recomputes it on
    its own session.
    """
    def compute_with(s: Session) -> dict[str, Any]:
        return {
            "tiers": tier_counts(s, f),
            "open_redline_alerts": open_redline_alerts(s, f),
            "agreements": agreement_coverage(s, f, today),
            "audits_overdue": audits_overdue(s, f, today, validity_months),
            "caps_overdue": caps_overdue(s, f, today),
            "matrix": risk_matrix(s, f),
            "countries": country_risk(s, f),
            "by_industry": tier_distribution(s, f, "industry"),
            "by_region": tier_distribution(s, f, "region"),
            "events": redline_events(s, f, today),
            "movers": tier_movers(s, f, today),
            "computed_at": time.time(),
        }

    def compute() -> dict[str, Any]:
        if session_factory is None:
            return compute_with(session)
        own = session_factory()
        try:
            return compute_with(own)
        finally:
            own.close()

    if cache is None:
        return compute_with(session)
    key = ("dashboard", str(session.get_bind().url), f.key(), today.isoformat())
    return cache.get_or_compute(key, ttl, compute, stale_ttl=stale_ttl if session_factory else 0.0)


__all__ = ["Filters", "TTLCache", "dashboard_data", "supplier_page", "iter_suppliers", "filter_options"]
