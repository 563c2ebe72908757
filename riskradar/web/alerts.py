"""Alerts inbox, alert detail with history, and the triage actions (over riskradar.alerts.service)."""

from __future__ import annotations

import inspect
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from riskradar.domain.alerts import Alert, AlertEvent
from riskradar.domain.base import ALERT_STATUSES, CLASSIFIER_LABELS
from riskradar.domain.suppliers import Supplier
from riskradar.domain.users import User
from riskradar.web.auth import ALL_ROLES, TRIAGERS, roles_required
from riskradar.web.common import choice_arg, int_arg, pagination, require, service, text_arg
from riskradar.web.errors import BadParameter

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
TRIAGE_ACTIONS = ("acknowledge", "assign", "comment", "confirm", "dismiss", "resolve")
ALERT_CATEGORIES = CLASSIFIER_LABELS + ("tier_change", "agreement", "other")
SERVICE = "riskradar.alerts.service"


def list_alerts(session: Any, *, status: str | None, category: str | None, supplier_id: int | None,
                limit: int, offset: int) -> tuple[list[Alert], int]:
    """Alerts newest first (the alerts module's query when present)."""
    func_ = service(SERVICE, "list_alerts")
    if func_ is not None:
        return func_(session, status=status, category=category, supplier_id=supplier_id, limit=limit, offset=offset)
    conds = []
    if status:
        conds.append(Alert.status == status)
    if category:
        conds.append(Alert.category == category)
    if supplier_id:
        conds.append(Alert.supplier_id == supplier_id)
    total = session.scalar(select(func.count()).select_from(Alert).where(*conds)) or 0
    rows = list(session.scalars(select(Alert).where(*conds).order_by(Alert.last_seen_at.desc(), Alert.id.desc())
                                .limit(limit).offset(offset)))
    return rows, int(total)


def alert_history(session: Any, alert_id: int) -> list[dict[str, Any]]:
    """Who did what and when (the alerts module's view when present)."""
    func_ = service(SERVICE, "alert_history")
    if func_ is not None:
        return list(func_(session, alert_id))
    events = session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id))
    return [{"at": e.at, "actor_id": e.actor_id, "action": e.action, "note": e.note, "data": e.data} for e in events]


def triage(session: Any, alert_id: int, user_id: int, action: str, form: Any) -> None:
    """Validate and apply one triage action; raises BadParameter/NotAvailable/LookupError."""
    if action not in TRIAGE_ACTIONS:
        raise BadParameter(f"'action' must be one of {', '.join(TRIAGE_ACTIONS)}; got {action!r}", param="action")
    func_ = require(SERVICE, action, f"alert triage ({SERVICE}.{action})")
    note = text_arg(form, "note", max_len=4000)
    if action in ("comment", "resolve") and not note:
        raise BadParameter(f"'{action}' needs a note", param="note")
    if action == "assign":
        assignee = form.get("assignee")
        if not assignee:
            raise BadParameter("'assign' needs an assignee (user id or username)", param="assignee")
        user = session.get(User, int(assignee)) if str(assignee).isdigit() else \
            session.scalar(select(User).where(User.username == str(assignee)))
        if user is None:
            raise BadParameter(f"no user {assignee!r} to assign to", param="assignee")
        func_(session, alert_id, user_id, user.id)
        return
    params = inspect.signature(func_).parameters
    kwargs = {"note": note} if note is not None and "note" in params else {}
    if action in ("comment", "resolve") and "note" not in params:
        func_(session, alert_id, user_id, note)
    else:
        func_(session, alert_id, user_id, **kwargs)


@bp.route("")
@roles_required(*ALL_ROLES)
def index() -> Any:
    """The alerts inbox."""
    status = choice_arg(request.args, "status", ALERT_STATUSES)
    category = choice_arg(request.args, "category", ALERT_CATEGORIES)
    supplier_id = int_arg(request.args, "supplier_id", 0, lo=1) or None if request.args.get("supplier_id") else None
    page, per_page = pagination(request.args)
    rows, total = list_alerts(g.db, status=status, category=category, supplier_id=supplier_id,
                              limit=per_page, offset=(page - 1) * per_page)
    suppliers = {s.id: s for s in g.db.scalars(select(Supplier).where(Supplier.id.in_({a.supplier_id for a in rows if a.supplier_id})))}
    pages = max(1, (total + per_page - 1) // per_page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("alerts.html", rows=rows, total=total, page=page, pages=pages, suppliers=suppliers,
                           statuses=ALERT_STATUSES, categories=ALERT_CATEGORIES, status=status, category=category,
                           args=args, available=service(SERVICE, "list_alerts") is not None)


@bp.route("/<id:alert_id>")
@roles_required(*ALL_ROLES)
def detail(alert_id: int) -> Any:
    """One alert: evidence, sources, history, triage form."""
    alert = g.db.get(Alert, alert_id)
    if alert is None:
        abort(404, description=f"no alert {alert_id}")
    supplier = g.db.get(Supplier, alert.supplier_id) if alert.supplier_id else None
    users = {u.id: u for u in g.db.scalars(select(User).order_by(User.username))}
    return render_template("alert.html", a=alert, supplier=supplier, history=alert_history(g.db, alert_id),
                           users=users, actions=TRIAGE_ACTIONS,
                           can_triage=current_user.has_role(*TRIAGERS),
                           triage_available=service(SERVICE, "acknowledge") is not None)


@bp.route("/<id:alert_id>/triage", methods=["POST"])
@roles_required(*TRIAGERS)
def triage_view(alert_id: int) -> Any:
    """Apply a triage action from the detail page."""
    if g.db.get(Alert, alert_id) is None:
        abort(404, description=f"no alert {alert_id}")
    try:
        triage(g.db, alert_id, current_user.id, request.form.get("action", ""), request.form)
    except LookupError as exc:
        abort(404, description=str(exc))
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc
    g.db.commit()
    flash("alert_updated")
    return redirect(url_for("alerts.detail", alert_id=alert_id))
