"""Authentication (session cookie or bearer token), the role decorator, login and logout.

Every view is wrapped in exactly one of :func:`roles_required` or :func:`public`; a test walks
the URL map and fails when a view has neither.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from riskradar.domain.base import ROLES

bp = Blueprint("auth", __name__)
login_manager = LoginManager()

# Role groups used by the views (admin may do everything).
ALL_ROLES: tuple[str, ...] = ROLES
CHECKERS = ("admin", "procurement", "buyer", "csr_lead")
TRIAGERS = ("admin", "csr_lead")
DATA_MANAGERS = ("admin", "procurement")
FEED_MANAGERS = ("admin", "csr_lead")
ADMINS = ("admin",)
TOKEN_CACHE_SECONDS = 5.0


@dataclass
class CurrentUser:
    """What flask-login keeps for the request: plain data, never a session-bound ORM object."""

    id: int
    username: str
    role: str
    language: str
    via_token: bool = False

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


def _from_orm(user: Any, *, via_token: bool = False) -> CurrentUser:
    return CurrentUser(id=user.id, username=user.username, role=user.role, language=user.language,
                       via_token=via_token)


def is_api_request() -> bool:
    """True for routes under /api/ (JSON errors, 401 instead of a redirect)."""
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_user(user_id: str) -> CurrentUser | None:
    from riskradar.domain.users import User

    try:
        user = g.db.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    return _from_orm(user)


@login_manager.request_loader
def _load_user_from_request(req: Any) -> CurrentUser | None:
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    token = header[7:].strip()
    if not token:
        return None
    # Scripts call in bursts: remember a verified token briefly (TOKEN_CACHE_SECONDS) so every call
    # is not two extra queries; a revoked token stops working within that time.
    cache: dict[str, tuple[float, CurrentUser]] = current_app.extensions["riskradar.token_cache"]
    key = hashlib.sha256(token.encode("utf-8")).hexdigest()
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < TOKEN_CACHE_SECONDS:
        return hit[1]
    from riskradar.services.users import user_for_token

    user = user_for_token(g.db, token)
    if user is None:
        cache.pop(key, None)
        return None
    if g.db.dirty:
        g.db.commit()  # last_used_at
    loaded = _from_orm(user, via_token=True)
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (now, loaded)
    return loaded


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if is_api_request():
        from riskradar.web.errors import api_error

        return api_error(401, "unauthorized", "authentication required: log in or send 'Authorization: Bearer <token>'")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def roles_required(*roles: str) -> Callable:
    """Allow the view to users whose role is in ``roles`` (admin always); 401/redirect or 403."""
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped._riskradar_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as reachable without login (login page, static assets, language switch)."""
    view._riskradar_public = True  # type: ignore[attr-defined]
    return view


class LoginThrottle:
    """In-memory sliding window of failed logins per client address (on top of account locks)."""

    def __init__(self, limit: int = 20, window_seconds: float = 300.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return False
            while hits and now - hits[0] > self.window:
                hits.popleft()
            return len(hits) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            self._hits.setdefault(key, deque()).append(time.monotonic())


def _safe_next(target: str | None) -> str:
    """Only same-site relative redirects after login (no open redirect)."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """Log in with username and password (rate limited per address and per account)."""
    from riskradar.services.users import authenticate, get_user, is_locked
    from riskradar.web.i18n import t

    throttle: LoginThrottle = current_app.extensions["riskradar.login_throttle"]
    error = None
    status = 200
    if request.method == "POST":
        key = request.remote_addr or "?"
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        if throttle.blocked(key):
            error, status = t("login.too_many"), 429
        else:
            user = authenticate(g.db, username, password)
            if user is None:
                throttle.failed(key)
                existing = get_user(g.db, username) if username else None
                g.db.commit()
                locked = existing is not None and is_locked(existing)
                error = t("login.locked") if locked else t("login.failed")
                status = 429 if locked else 401
            else:
                g.db.commit()
                session.clear()  # fresh session on login (fixation)
                session["lang"] = user.language
                login_user(_from_orm(user))
                return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, username=request.form.get("username", "")), status


@bp.route("/logout", methods=["POST"])
@roles_required(*ALL_ROLES)
def logout() -> Any:
    """Log out (POST with CSRF token, so a link on another site cannot log you out)."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash("logged_out")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Wire flask-login, CSRF (skipped only for bearer-token API calls) and the throttle."""
    login_manager.init_app(app)
    app.extensions["riskradar.token_cache"] = {}
    app.extensions["riskradar.login_throttle"] = LoginThrottle()

    @app.before_request
    def _csrf_unless_bearer() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if is_api_request() and (request.headers.get("Authorization", "").lower().startswith("bearer ")
                                 or not current_user.is_authenticated):
            # Scripts send no cookie, and without a logged-in session there is nothing to forge:
            # the view answers 401.
            return
        from riskradar.web import csrf

        csrf.protect()

    @app.context_processor
    def _inject_user() -> dict[str, Any]:
        return {"current_user": current_user, "ROLE_GROUPS": {
            "checkers": CHECKERS, "triagers": TRIAGERS, "data": DATA_MANAGERS, "feeds": FEED_MANAGERS,
            "admins": ADMINS}}

    _ = CSRFError  # re-exported for errors.py
