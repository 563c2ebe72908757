"""Onboarding check (准入): a buyer types a vendor's name, country and industry."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request

from riskradar.web.auth import CHECKERS, roles_required
from riskradar.web.common import country_arg, service, settings, text_arg
from riskradar.web.errors import BadParameter

bp = Blueprint("onboarding", __name__, url_prefix="/check")


def run_check(session: Any, form: Any) -> dict[str, Any]:
    """Validate the form fields and call the scoring module's ``check_vendor``."""
    name = text_arg(form, "name", max_len=255)
    if not name:
        raise BadParameter("field 'name' is required (the vendor's Chinese or English name)", param="name")
    country = country_arg(form)
    industry = text_arg(form, "industry", max_len=64)
    check_vendor = service("riskradar.scoring.onboarding", "check_vendor")
    if check_vendor is None:
        from riskradar.web.errors import NotAvailable

        raise NotAvailable("the onboarding check (riskradar.scoring.onboarding)")
    try:
        result = check_vendor(session, settings(), name=name, country=country, industry=industry)
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc
    return {"query": {"name": name, "country": country, "industry": industry}, **result}


@bp.route("", methods=["GET", "POST"])
@roles_required(*CHECKERS)
def index() -> Any:
    """The form, and the result after POST."""
    result = None
    error = None
    status = 200
    available = service("riskradar.scoring.onboarding", "check_vendor") is not None
    if request.method == "POST":
        try:
            result = run_check(g.db, request.form)
        except BadParameter as exc:
            error, status = exc.message, 400
    return render_template("onboarding.html", result=result, error=error, form=request.form,
                           available=available), status
