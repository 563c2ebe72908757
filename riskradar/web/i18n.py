"""zh-CN / English user interface: a message catalogue, the language choice and the switch.

The language is the one stored in the session (set at login from the user's preference, or by
the switch), else the browser's ``Accept-Language``, else Chinese.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, redirect, request, session, url_for
from flask_login import current_user

from riskradar.web.messages import MESSAGES

LANGUAGES = ("zh", "en")
bp = Blueprint("i18n", __name__)


def current_language() -> str:
    """The UI language of this request ('zh' or 'en')."""
    lang = getattr(g, "lang", None)
    if lang:
        return lang
    lang = session.get("lang")
    if lang not in LANGUAGES:
        lang = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"], default="zh") or "zh"
        lang = "zh" if lang.startswith("zh") else "en"
    g.lang = lang
    return lang


def t(key: str, **values: Any) -> str:
    """The message ``key`` in the current language (English, then the key itself, as fallback).

    With ``n=1`` the singular form ``<key>.one`` is used when the catalogue has one.
    """
    if values.get("n") == 1 and f"{key}.one" in MESSAGES:
        key = f"{key}.one"
    pair = MESSAGES.get(key)
    if pair is None:
        text = key
    else:
        text = pair[1] if current_language() == "zh" else pair[0]
    return text.format(**values) if values else text


def label(kind: str, value: Any) -> str:
    """A vocabulary value (tier, category, role, status, industry...) in the current language.

    Free-text values (an imported industry such as "Apparel " or "auto_parts") are matched
    case- and separator-insensitively; an unknown value is shown as it is.
    """
    if value is None or value == "":
        return "—"
    key = f"{kind}.{value}"
    if key in MESSAGES:
        return t(key)
    if isinstance(value, str):
        norm = " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
        for candidate in (f"{kind}.{norm}", f"{kind}.{norm.replace(' ', '_')}"):
            if candidate in MESSAGES:
                return t(candidate)
    return str(value)


def labels_for(kind: str, values: Any) -> dict[Any, str]:
    """``{value: label(kind, value)}`` for the given values (display names handed to figures)."""
    return {v: label(kind, v) for v in values if v is not None}


def country(code: Any) -> str:
    """A country's display name in the current language (the code itself when unknown)."""
    if not code:
        return "—"
    from riskradar.countries import country_name

    try:
        return country_name(str(code), current_language()) or str(code)
    except Exception:  # noqa: BLE001 - a display helper must never break a page
        return str(code)


def region(value: Any) -> str:
    """A region's display name in the current language (Chinese provinces; others as imported)."""
    from riskradar.regions import region_label

    return region_label(value, current_language()) if value else "—"


@bp.route("/lang", methods=["POST"])
def switch_language() -> Any:
    """Switch the UI language; remembered in the session and on the user."""
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        from riskradar.web.errors import BadParameter

        raise BadParameter(f"unknown language {lang!r}; expected zh or en", param="lang")
    session["lang"] = lang
    g.lang = lang
    if current_user.is_authenticated:
        from riskradar.domain.users import User

        user = g.db.get(User, current_user.id)
        if user is not None:
            user.language = lang
            g.db.commit()
    target = request.form.get("next") or request.referrer or "/"
    from riskradar.web.auth import _safe_next

    if target.startswith(("http://", "https://")):
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect(_safe_next(target) if target != "/" else url_for("dashboard.index"))


switch_language._riskradar_public = True  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Register the switch and the template helpers ``t``, ``label``, ``country``, ``region`` and ``lang``."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(t=t, label=label, country=country, region=region)

    @app.context_processor
    def _lang() -> dict[str, Any]:
        return {"lang": current_language()}
