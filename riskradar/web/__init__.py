"""The RiskRadar web application: ``create_app(settings, db=None)``.

Server-rendered pages (dashboard, suppliers, onboarding check, alerts, admin) and the JSON API
under ``/api/v1``. Sessions are opened per request and closed in teardown; nothing global.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from riskradar.db import Database
from riskradar.settings import Settings

csrf = CSRFProtect()
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """A database id in a URL: a non-negative integer that fits in a 64-bit column (else 404)."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, max=MAX_ID)

# No external origin anywhere: plotly.js, fonts and the map geometry are served by the app.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(settings: Settings, db: Database | None = None) -> Flask:
    """Build the Flask app for ``settings`` (opening a :class:`Database` when none is given)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # CSRF is checked in our own before_request so bearer-token API calls can skip it.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["riskradar.settings"] = settings
    owns_db = db is None
    app.extensions["riskradar.db"] = db or Database(settings)
    if owns_db:
        app.extensions["riskradar.owns_db"] = True

    app.url_map.converters["id"] = IdConverter
    csrf.init_app(app)

    @app.before_request
    def _open_session() -> None:
        g.db = app.extensions["riskradar.db"].session()


    from riskradar.web import auth, errors, i18n

    auth.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)

    @app.teardown_request
    def _close_session(exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()

    @app.after_request
    def _security_headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/") or request.endpoint not in (None, "static", "assets.plotly_js"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    from riskradar.web import admin, alerts, api, assets, dashboard, onboarding, suppliers

    for module in (assets, auth, dashboard, suppliers, onboarding, alerts, admin, api):
        app.register_blueprint(module.bp)

    if settings.demo_mode:
        try:
            from riskradar.web.demo_feeds import bp as demo_bp  # helper "feeds"
        except ImportError:
            demo_bp = None
        if demo_bp is not None:
            app.register_blueprint(demo_bp)
            # Synthetic news for the fetcher, which has no credentials: public by design.
            for endpoint, view in app.view_functions.items():
                if endpoint.startswith(f"{demo_bp.name}."):
                    view._riskradar_public = True  # type: ignore[attr-defined]
    return app


def settings_of(app: Flask) -> Settings:
    """The :class:`Settings` an app was built with."""
    return app.extensions["riskradar.settings"]
