"""Scoring service: run the model over the supply base, store snapshots, explain a supplier.

``score_suppliers`` is what the scheduler, the ingest run and ``riskradar score`` call;
``supplier_risk`` and ``tier_changes`` feed the web pages, the API and ``riskradar supplier show``.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date, datetime, timezone
from typing import Any, Iterable

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from riskradar.domain import Agreement, Audit, AuditFinding, RiskSnapshot, ScoringRun, Supplier
from riskradar.domain.base import RED_LINES, utcnow
from riskradar.scoring.loader import all_spends, load_inputs
from riskradar.scoring.model import Scorer, SupplierScore, spend_percentiles
from riskradar.scoring.reference import Reference, load_reference
from riskradar.scoring.tiers import tier_name, tier_rank, tier_summary
from riskradar.settings import Settings

_WRITE_BATCH = 5000
log = logging.getLogger(__name__)


def make_scorer(session: Session, settings: Settings | None, *, now: datetime,
                reference: Reference | None = None) -> Scorer:
    """A :class:`Scorer` for ``now`` with spend percentiles over the whole supply base."""
    ref = reference or load_reference()
    return Scorer(
        ref, today=now.date(),
        news_half_life_days=getattr(settings, "news_half_life_days", None),
        audit_validity_months=getattr(settings, "audit_validity_months", None),
        spend_percentile=spend_percentiles(all_spends(session)),
    )


def _now(now: datetime | None) -> datetime:
    now = now or utcnow()
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def compute_scores(session: Session, settings: Settings | None, *, supplier_ids: Iterable[int] | None = None,
                   now: datetime | None = None, reference: Reference | None = None,
                   detail: bool = True) -> list[tuple[Any, SupplierScore]]:
    """Score suppliers without writing anything: ``[(inputs, score), ...]`` ordered by supplier id."""
    now = _now(now)
    scorer = make_scorer(session, settings, now=now, reference=reference)
    news_cfg = scorer.m["news"]
    t0, c0 = time.perf_counter(), time.process_time()
    inputs = load_inputs(session, supplier_ids, today=now.date(), now=now,
                         min_probability=float(news_cfg["min_probability"]),
                         default_credibility=float(news_cfg["default_credibility"]))
    log.debug("loaded inputs of %d suppliers in %.2f s (CPU %.2f s)", len(inputs), time.perf_counter() - t0,
              time.process_time() - c0)
    return [(inputs[sid], scorer.score(inputs[sid], detail=detail)) for sid in sorted(inputs)]


def score_suppliers(session: Session, settings: Settings | None, *, full: bool = False,
                    supplier_ids: Iterable[int] | None = None, now: datetime | None = None,
                    reference: Reference | None = None) -> ScoringRun:
    """Score suppliers, store one :class:`RiskSnapshot` each, update the suppliers, return the run.

    ``full=True`` scores every supplier; otherwise only ``supplier_ids`` when given, else those
    flagged ``needs_rescore``. Commits the session (the run is one transaction).
    """
    now = _now(now)
    ref = reference or load_reference()
    if full:
        ids: list[int] | None = None
    elif supplier_ids is not None:
        ids = sorted(set(int(i) for i in supplier_ids))
    else:
        ids = list(session.scalars(select(Supplier.id).where(Supplier.needs_rescore.is_(True)).order_by(Supplier.id)))
    run = ScoringRun(full=full, started_at=utcnow(), model_version=str(ref.model.get("version", ""))[:64])
    session.add(run)
    session.flush()
    if ids is not None and not ids:
        run.finished_at = utcnow()
        session.commit()
        return run
    t0, c0 = time.perf_counter(), time.process_time()
    results = compute_scores(session, settings, supplier_ids=ids, now=now, reference=ref, detail=False)
    t1, c1 = time.perf_counter(), time.process_time()
    snapshots: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes = 0
    for inp, sc in results:
        if inp.previous_tier is not None and inp.previous_tier != sc.tier:
            changes += 1
        snapshots.append({
            "supplier_id": sc.supplier_id, "run_id": run.id, "computed_at": now, "score": sc.score,
            "likelihood": sc.likelihood, "impact": sc.impact, "likelihood_band": sc.likelihood_band,
            "impact_band": sc.impact_band, "tier": sc.tier, "previous_tier": inp.previous_tier,
            "categories": sc.categories, "reasons": sc.reasons, "inputs_hash": sc.inputs_hash,
        })
        updates.append({"b_id": sc.supplier_id, "b_score": sc.score, "b_tier": sc.tier, "b_at": now})
    _write_results(session, snapshots, updates)
    run.suppliers_scored = len(results)
    run.tier_changes = changes
    run.finished_at = utcnow()
    session.commit()
    log.info("scoring run %s: %d suppliers, load+score %.2f s (CPU %.2f s), write %.2f s (CPU %.2f s), %d tier changes",
             run.id, len(results), t1 - t0, c1 - c0, time.perf_counter() - t1, time.process_time() - c1, changes)
    # The bulk UPDATE bypassed the identity map: make loaded suppliers re-read their risk fields.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Supplier):
            session.expire(obj)
    return run


_SQLITE_SNAPSHOT_SQL = (
    "INSERT INTO risk_snapshots (supplier_id, run_id, computed_at, score, likelihood, impact, likelihood_band, "
    "impact_band, tier, previous_tier, categories, reasons, inputs_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_SQLITE_SUPPLIER_SQL = "UPDATE suppliers SET risk_score = ?, risk_tier = ?, scored_at = ?, needs_rescore = 0 WHERE id = ?"


def _write_results(session: Session, snapshots: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    """Insert the snapshots and update the suppliers in batches (executemany).

    ``Supplier.updated_at`` is left alone: a new score is not a change of the supplier's master data
    (and the onboarding name index re-reads suppliers whose ``updated_at`` moved). On SQLite the
    rows go straight to the driver, in the storage format SQLAlchemy itself uses (naive UTC
    ``YYYY-MM-DD HH:MM:SS.ffffff``, JSON text), which halves the cost of the write.
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        def ts(value: datetime) -> str:
            return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")

        for i in range(0, len(snapshots), _WRITE_BATCH):
            conn.exec_driver_sql(_SQLITE_SNAPSHOT_SQL, [
                (r["supplier_id"], r["run_id"], ts(r["computed_at"]), r["score"], r["likelihood"], r["impact"],
                 r["likelihood_band"], r["impact_band"], r["tier"], r["previous_tier"], json.dumps(r["categories"]),
                 json.dumps(r["reasons"]), r["inputs_hash"])
                for r in snapshots[i : i + _WRITE_BATCH]
            ])
        for i in range(0, len(updates), _WRITE_BATCH):
            conn.exec_driver_sql(_SQLITE_SUPPLIER_SQL, [
                (u["b_score"], u["b_tier"], ts(u["b_at"]), u["b_id"]) for u in updates[i : i + _WRITE_BATCH]
            ])
        return
    snap_insert = insert(RiskSnapshot.__table__)
    sup_table = Supplier.__table__
    sup_update = (
        update(sup_table).where(sup_table.c.id == bindparam("b_id"))
        .values(risk_score=bindparam("b_score"), risk_tier=bindparam("b_tier"), scored_at=bindparam("b_at"),
                needs_rescore=False, updated_at=sup_table.c.updated_at)
    )
    for i in range(0, len(snapshots), _WRITE_BATCH):
        session.execute(snap_insert, snapshots[i : i + _WRITE_BATCH])
    for i in range(0, len(updates), _WRITE_BATCH):
        session.execute(sup_update, updates[i : i + _WRITE_BATCH])


def _snapshot_dict(s: RiskSnapshot) -> dict[str, Any]:
    return {
        "id": s.id, "run_id": s.run_id, "computed_at": s.computed_at, "score": s.score, "likelihood": s.likelihood,
        "impact": s.impact, "likelihood_band": s.likelihood_band, "impact_band": s.impact_band, "tier": s.tier,
        "previous_tier": s.previous_tier, "categories": s.categories, "reasons": s.reasons,
    }


def _because(reasons: list[dict[str, Any]], lang: str) -> str:
    texts = [r.get(lang) or r.get("en") or "" for r in (reasons or [])[:3]]
    return ("；" if lang == "zh" else "; ").join(t for t in texts if t)


def describe_change(snapshot: RiskSnapshot | dict[str, Any], lang: str = "en") -> str:
    """"moved from medium to high on 2026-11-20 because ..." in ``lang``."""
    s = snapshot if isinstance(snapshot, dict) else _snapshot_dict(snapshot)
    day = s["computed_at"].date().isoformat() if isinstance(s["computed_at"], datetime) else str(s["computed_at"])[:10]
    prev, cur = s.get("previous_tier"), s["tier"]
    if lang == "zh":
        head = f"{day} 由{tier_name(prev, 'zh')}调整为{tier_name(cur, 'zh')}" if prev else f"{day} 首次评级为{tier_name(cur, 'zh')}"
        return f"{head}，原因：{_because(s['reasons'], 'zh')}"
    head = f"moved from {prev} to {cur} on {day}" if prev else f"first rated {cur} on {day}"
    return f"{head} because {_because(s['reasons'], 'en')}"


def tier_changes(session: Session, *, since: datetime | None = None, limit: int = 50,
                 supplier_id: int | None = None, run_id: int | None = None) -> list[dict[str, Any]]:
    """Snapshots where a supplier changed tier (newest first), with "because" texts in zh and en."""
    stmt = (
        select(RiskSnapshot, Supplier.external_ref, Supplier.name_zh, Supplier.name_en)
        .join(Supplier, Supplier.id == RiskSnapshot.supplier_id)
        .where(RiskSnapshot.previous_tier.is_not(None), RiskSnapshot.previous_tier != RiskSnapshot.tier)
        .order_by(RiskSnapshot.computed_at.desc(), RiskSnapshot.id.desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(RiskSnapshot.computed_at >= since)
    if supplier_id is not None:
        stmt = stmt.where(RiskSnapshot.supplier_id == supplier_id)
    if run_id is not None:
        stmt = stmt.where(RiskSnapshot.run_id == run_id)
    out = []
    for snap, ref, name_zh, name_en in session.execute(stmt):
        d = _snapshot_dict(snap)
        out.append({
            "supplier_id": snap.supplier_id, "external_ref": ref, "name": name_zh or name_en or ref,
            "from_tier": snap.previous_tier, "to_tier": snap.tier, "at": snap.computed_at,
            "direction": "up" if tier_rank(snap.tier) > tier_rank(snap.previous_tier) else "down",
            "score": snap.score, "reasons": snap.reasons,
            "because_en": describe_change(d, "en"), "because_zh": describe_change(d, "zh"),
        })
    return out


def _audit_summary(session: Session, supplier_id: int, today: date) -> dict[str, Any]:
    audits = session.scalars(select(Audit).where(Audit.supplier_id == supplier_id)
                             .order_by(Audit.audit_date.desc(), Audit.id.desc()).limit(10)).all()
    rows = session.execute(
        select(AuditFinding.category, AuditFinding.severity, func.count())
        .where(AuditFinding.supplier_id == supplier_id, AuditFinding.status == "open")
        .group_by(AuditFinding.category, AuditFinding.severity)
    ).all()
    overdue = session.scalar(select(func.count()).select_from(AuditFinding).where(
        AuditFinding.supplier_id == supplier_id, AuditFinding.status == "open", AuditFinding.cap_due_date < today))
    return {
        "audits": [{"id": a.id, "external_ref": a.external_ref, "scheme": a.scheme, "audit_date": a.audit_date,
                    "result": a.result, "grade": a.grade, "score": a.score, "valid_until": a.valid_until} for a in audits],
        "open_findings": [{"category": c, "severity": s, "count": n} for c, s, n in rows],
        "overdue_corrective_actions": int(overdue or 0),
    }


def _agreement_summary(session: Session, supplier_id: int) -> dict[str, Any] | None:
    ag = session.scalars(select(Agreement).where(Agreement.supplier_id == supplier_id)
                         .order_by(Agreement.signed_date.desc().nulls_last(), Agreement.id.desc()).limit(1)).first()
    if ag is None:
        return None
    return {"version": ag.version, "status": ag.status, "signed_date": ag.signed_date, "expiry_date": ag.expiry_date,
            "clauses_acknowledged": list(ag.clauses_acknowledged or []), "missing_clauses": ag.missing_clauses(),
            "training_completed": ag.training_completed}


def supplier_risk(session: Session, supplier: Supplier | int, *, settings: Settings | None = None,
                  history: int = 20, now: datetime | None = None) -> dict[str, Any]:
    """Everything the UI shows about a supplier's risk.

    Keys: ``supplier`` (id, ref, names, country, industry), ``latest`` (stored snapshot or None),
    ``tier`` with its required ``actions_en``/``actions_zh``, ``reasons``, ``current`` (a fresh
    computation with the per-category ``breakdown`` and ``exposure``), ``history`` (snapshots, newest
    first, each with ``change_en``/``change_zh`` when the tier moved), ``audits``, ``agreement``.
    """
    if isinstance(supplier, int):
        obj = session.get(Supplier, supplier)
        if obj is None:
            raise LookupError(f"no supplier with id {supplier}")
        supplier = obj
    now = _now(now)
    snaps = session.scalars(select(RiskSnapshot).where(RiskSnapshot.supplier_id == supplier.id)
                            .order_by(RiskSnapshot.computed_at.desc(), RiskSnapshot.id.desc()).limit(history)).all()
    hist = []
    for s in snaps:
        d = _snapshot_dict(s)
        if s.previous_tier and s.previous_tier != s.tier:
            d["change_en"] = describe_change(d, "en")
            d["change_zh"] = describe_change(d, "zh")
        hist.append(d)
    latest = hist[0] if hist else None
    (inp, current), = compute_scores(session, settings, supplier_ids=[supplier.id], now=now)
    scorer_ref = load_reference()
    from riskradar.scoring.model import inherent_exposure

    exposure = inherent_exposure(scorer_ref, supplier.country, supplier.industry, supplier.products).as_dict()
    tier = latest["tier"] if latest else current.tier
    return {
        "supplier": {"id": supplier.id, "external_ref": supplier.external_ref, "name_zh": supplier.name_zh,
                     "name_en": supplier.name_en, "country": supplier.country, "industry": supplier.industry,
                     "criticality": supplier.criticality, "tier_level": supplier.tier_level,
                     "annual_spend": supplier.annual_spend, "needs_rescore": supplier.needs_rescore},
        "tier": tier_summary(tier),
        "latest": latest,
        "reasons": latest["reasons"] if latest else current.reasons,
        "current": {"score": current.score, "likelihood": current.likelihood, "impact": current.impact,
                    "likelihood_band": current.likelihood_band, "impact_band": current.impact_band,
                    "tier": current.tier, "categories": current.categories, "breakdown": current.breakdown,
                    "reasons": current.reasons, "red_line_triggers": current.red_line_triggers,
                    "evidence_unknown": current.evidence_unknown, "exposure": exposure,
                    "red_lines": list(RED_LINES)},
        "history": hist,
        **_audit_summary(session, supplier.id, now.date()),
        "agreement": _agreement_summary(session, supplier.id),
    }


def latest_run(session: Session) -> ScoringRun | None:
    """The most recent scoring run."""
    return session.scalars(select(ScoringRun).order_by(ScoringRun.id.desc()).limit(1)).first()


def run_summary(run: ScoringRun) -> dict[str, Any]:
    """A scoring run as plain data."""
    secs = None
    if run.finished_at and run.started_at:
        secs = round((run.finished_at - run.started_at).total_seconds(), 3)
    return {"id": run.id, "full": run.full, "started_at": run.started_at, "finished_at": run.finished_at,
            "suppliers_scored": run.suppliers_scored, "tier_changes": run.tier_changes,
            "model_version": run.model_version, "seconds": secs}


def tier_counts(session: Session) -> dict[str, int]:
    """Number of suppliers per current tier (``unscored`` for none)."""
    rows = session.execute(select(Supplier.risk_tier, func.count()).group_by(Supplier.risk_tier)).all()
    return {(t or "unscored"): int(n) for t, n in rows}


def dumps_reasons(reasons: list[dict[str, Any]]) -> str:
    """Reasons as compact JSON (for logs)."""
    return json.dumps(reasons, ensure_ascii=False)
