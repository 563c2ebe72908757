"""Shared helpers of the web layer: parameter parsing (400 on bad input), the bridge to other
modules' services (lazy imports), figure embedding and plain-data serialisers."""

from __future__ import annotations

import importlib
import json
from datetime import date, datetime
from typing import Any, Callable, Mapping

from flask import current_app, g

from dashboards.queries import Filters
from riskradar.domain.base import CLASSIFIER_LABELS, RISK_TIERS
from riskradar.settings import Settings
from riskradar.web.errors import BadParameter, NotAvailable

MAX_PER_PAGE = 200
MAX_INT = 2**63 - 1


def settings() -> Settings:
    """Settings of the running app."""
    return current_app.extensions["riskradar.settings"]


def db():  # type: ignore[no-untyped-def]
    """The Database of the running app (for service functions that take ``db``)."""
    return current_app.extensions["riskradar.db"]


# --- other modules' services -----------------------------------------------------------------

def service(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` when that module (owned by another part of the project) provides it."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)


def require(module: str, name: str, feature: str) -> Callable[..., Any]:
    """Like :func:`service` but raises :class:`NotAvailable` (503) when missing."""
    func = service(module, name)
    if func is None:
        raise NotAvailable(feature)
    return func


# --- parameters -------------------------------------------------------------------------------

def int_arg(args: Mapping[str, str], name: str, default: int, *, lo: int = 1, hi: int | None = None) -> int:
    """An integer parameter within [lo, hi]; BadParameter otherwise."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadParameter(f"parameter '{name}' must be an integer, got {raw!r}", param=name) from None
    hi = MAX_INT if hi is None else hi
    if value < lo or value > hi:
        bound = f"between {lo} and {hi}" if hi != MAX_INT else f"at least {lo} (and fit in 64 bits)"
        raise BadParameter(f"parameter '{name}' must be {bound}, got {value}", param=name)
    return value


def choice_arg(args: Mapping[str, str], name: str, choices: tuple[str, ...] | list[str], default: str | None = None) -> str | None:
    """A parameter that must be one of ``choices``."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise BadParameter(f"parameter '{name}' must be one of {', '.join(choices)}; got {raw!r}", param=name)
    return raw


def date_arg(args: Mapping[str, str], name: str) -> date | None:
    """An ISO date parameter (YYYY-MM-DD)."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"parameter '{name}' must be a date YYYY-MM-DD, got {raw!r}", param=name) from None


def text_arg(args: Mapping[str, str], name: str, *, max_len: int = 200) -> str | None:
    """A free-text parameter, stripped, with a length limit."""
    raw = args.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    if len(raw) > max_len:
        raise BadParameter(f"parameter '{name}' is longer than {max_len} characters", param=name)
    return raw or None


def country_arg(args: Mapping[str, str], name: str = "country") -> str | None:
    """A country as ISO alpha-2 (accepts names when riskradar.countries is available)."""
    raw = text_arg(args, name, max_len=80)
    if raw is None:
        return None
    if len(raw) == 2 and raw.isalpha():
        return raw.upper()
    to_alpha2 = service("riskradar.countries", "to_alpha2")
    if to_alpha2 is not None:
        try:
            return to_alpha2(raw)
        except ValueError as exc:
            raise BadParameter(f"parameter '{name}': {exc}", param=name) from None
    raise BadParameter(f"parameter '{name}' must be an ISO 3166 alpha-2 code such as CN, got {raw!r}", param=name)


def filters_from_args(args: Mapping[str, str]) -> Filters:
    """Dashboard / supplier-list filters from query parameters (400 on any bad value)."""
    date_from, date_to = date_arg(args, "from"), date_arg(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadParameter("parameter 'from' must not be after 'to'", param="from")
    return Filters(
        country=country_arg(args),
        region=text_arg(args, "region"),
        industry=text_arg(args, "industry"),
        tier=choice_arg(args, "tier", RISK_TIERS),
        category=choice_arg(args, "category", CLASSIFIER_LABELS),
        date_from=date_from,
        date_to=date_to,
        likelihood_band=int_arg(args, "lb", 0, lo=1, hi=5) or None if args.get("lb") else None,
        impact_band=int_arg(args, "ib", 0, lo=1, hi=5) or None if args.get("ib") else None,
        q=text_arg(args, "q"),
    )


def pagination(args: Mapping[str, str], *, default_per_page: int = 50) -> tuple[int, int]:
    """(page, per_page) from ``page`` and ``per_page`` (1..200)."""
    return int_arg(args, "page", 1, lo=1, hi=1_000_000), int_arg(args, "per_page", default_per_page, lo=1, hi=MAX_PER_PAGE)


# --- figures ----------------------------------------------------------------------------------

def figure_json(fig: Any) -> str:
    """A figure as JSON safe to embed in ``<script type="application/json">``."""
    import plotly.io as pio

    text = pio.to_json(fig, validate=False, pretty=False, engine="json")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- serialisers ------------------------------------------------------------------------------

def iso(value: Any) -> Any:
    """ISO text for dates, otherwise the value."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def supplier_dict(s: Any) -> dict[str, Any]:
    """Plain-data view of a supplier (list rows and API)."""
    return {"id": s.id, "ref": s.external_ref, "name_zh": s.name_zh, "name_en": s.name_en, "short_name": s.short_name,
            "aliases": s.aliases or [], "country": s.country, "region": s.region, "industry": s.industry,
            "products": s.products, "annual_spend": s.annual_spend, "currency": s.currency, "criticality": s.criticality,
            "tier_level": s.tier_level, "status": s.status, "risk_score": s.risk_score, "risk_tier": s.risk_tier,
            "scored_at": iso(s.scored_at), "needs_rescore": s.needs_rescore}


def audit_dict(a: Any, *, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    return {"id": a.id, "external_ref": a.external_ref, "scheme": a.scheme, "audit_type": a.audit_type,
            "audit_date": iso(a.audit_date), "auditor": a.auditor, "score": a.score, "score_max": a.score_max,
            "grade": a.grade, "result": a.result, "valid_until": iso(a.valid_until),
            "findings": [{"id": f.id, "ref": f.finding_ref, "category": f.category, "severity": f.severity,
                          "description": f.description, "status": f.status, "cap_due_date": iso(f.cap_due_date),
                          "closed_date": iso(f.closed_date), "overdue": f.is_overdue(today)} for f in a.findings]}


def agreement_dict(a: Any) -> dict[str, Any]:
    return {"id": a.id, "supplier_id": a.supplier_id, "version": a.version, "status": a.status,
            "signed_date": iso(a.signed_date), "expiry_date": iso(a.expiry_date),
            "clauses_acknowledged": a.clauses_acknowledged or [], "missing_clauses": a.missing_clauses(),
            "training_completed": a.training_completed, "training_date": iso(a.training_date), "notes": a.notes}


def feed_dict(f: Any) -> dict[str, Any]:
    return {"id": f.id, "url": f.url, "name": f.name, "lang": f.lang, "kind": f.kind, "credibility": f.credibility,
            "poll_interval_minutes": f.poll_interval_minutes, "enabled": f.enabled,
            "last_polled_at": iso(f.last_polled_at), "last_success_at": iso(f.last_success_at),
            "last_error": f.last_error, "consecutive_failures": f.consecutive_failures}


def alert_dict(a: Any, *, full: bool = False) -> dict[str, Any]:
    data = {"id": a.id, "supplier_id": a.supplier_id, "category": a.category, "rule": a.rule, "status": a.status,
            "severity": a.severity, "title": a.title, "title_zh": a.title_zh, "source_count": a.source_count,
            "first_seen_at": iso(a.first_seen_at), "last_seen_at": iso(a.last_seen_at),
            "assignee_id": a.assignee_id, "resolution_note": a.resolution_note}
    if full:
        data["evidence"] = a.evidence or []
        data["sources"] = [{"kind": s.kind, "ref_id": s.ref_id, "url": s.url, "title": s.title,
                            "evidence": s.evidence or [], "added_at": iso(s.added_at)} for s in a.sources]
    return data


def job_run_dict(r: Any) -> dict[str, Any]:
    return {"id": r.id, "job": r.job, "slot": r.slot, "owner": r.owner, "status": r.status,
            "started_at": iso(r.started_at), "finished_at": iso(r.finished_at), "counts": r.counts or {},
            "error": r.error}


def batch_dict(b: Any) -> dict[str, Any]:
    data = b.summary()
    data.update({"source": b.source, "created_by": b.created_by, "started_at": iso(b.started_at),
                 "finished_at": iso(b.finished_at)})
    return data


def to_json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=iso)


def current_db_session():  # type: ignore[no-untyped-def]
    return g.db
