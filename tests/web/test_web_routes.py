"""Every route: anonymous -> login redirect / 401, wrong role -> 403, allowed role -> no error."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from riskradar.domain.base import ROLES
from tests.web.conftest import csrf_from

ALL = ROLES
CHECKERS = ("admin", "procurement", "buyer", "csr_lead")
TRIAGERS = ("admin", "csr_lead")
DATA = ("admin", "procurement")
FEEDS = ("admin", "csr_lead")
ADMINS = ("admin",)
PUBLIC = "public"

# (endpoint, method, path, roles allowed)
ROUTES: list[tuple[str, str, str, Any]] = [
    ("auth.login", "GET", "/login", PUBLIC),
    ("i18n.switch_language", "POST", "/lang", PUBLIC),
    ("assets.plotly_js", "GET", "/assets/plotly.min.js", PUBLIC),
    ("static", "GET", "/static/app.css", PUBLIC),
    ("api.openapi", "GET", "/api/v1/openapi.json", PUBLIC),
    ("auth.logout", "POST", "/logout", ALL),
    ("dashboard.index", "GET", "/", ALL),
    ("suppliers.index", "GET", "/suppliers", ALL),
    ("suppliers.export", "GET", "/suppliers/export.csv", ALL),
    ("suppliers.profile", "GET", "/suppliers/S0000", ALL),
    ("suppliers.review_tag", "POST", "/suppliers/S0000/tags/1/review", TRIAGERS + DATA),
    ("onboarding.index", "GET", "/check", CHECKERS),
    ("alerts.index", "GET", "/alerts", ALL),
    ("alerts.detail", "GET", "/alerts/1", ALL),
    ("alerts.triage_view", "POST", "/alerts/1/triage", TRIAGERS),
    ("admin.feeds", "GET", "/admin/feeds", FEEDS),
    ("admin.delete_feed", "POST", "/admin/feeds/1/delete", FEEDS),
    ("admin.imports", "GET", "/admin/imports", DATA),
    ("admin.batch", "GET", "/admin/imports/1", DATA),
    ("admin.users", "GET", "/admin/users", ADMINS),
    ("admin.jobs", "GET", "/admin/jobs", ADMINS),
    ("admin.channels", "GET", "/admin/channels", ADMINS),
    ("api.me", "GET", "/api/v1/me", ALL),
    ("api.suppliers", "GET", "/api/v1/suppliers", ALL),
    ("api.supplier_detail", "GET", "/api/v1/suppliers/S0000", ALL),
    ("api.supplier_history", "GET", "/api/v1/suppliers/S0000/history", ALL),
    ("api.supplier_audits", "GET", "/api/v1/suppliers/S0000/audits", ALL),
    ("api.put_agreement", "PUT", "/api/v1/suppliers/S0000/agreement", DATA),
    ("api.score", "POST", "/api/v1/score", DATA),
    ("api.dashboard", "GET", "/api/v1/dashboard", ALL),
    ("api.agreements", "GET", "/api/v1/agreements", ALL),
    ("api.feeds", "GET", "/api/v1/feeds", ALL),
    ("api.add_feed", "POST", "/api/v1/feeds", FEEDS),
    ("api.delete_feed", "DELETE", "/api/v1/feeds/1", FEEDS),
    ("api.articles", "GET", "/api/v1/articles", ALL),
    ("api.alerts", "GET", "/api/v1/alerts", ALL),
    ("api.alert_detail", "GET", "/api/v1/alerts/1", ALL),
    ("api.alert_triage", "POST", "/api/v1/alerts/1/acknowledge", TRIAGERS),
    ("api.channels", "GET", "/api/v1/channels", ADMINS),
    ("api.add_channel", "POST", "/api/v1/channels", ADMINS),
    ("api.check", "POST", "/api/v1/check", CHECKERS),
    ("api.imports", "GET", "/api/v1/imports", DATA),
    ("api.upload", "POST", "/api/v1/imports", DATA),
    ("api.import_batch", "GET", "/api/v1/imports/1", DATA),
    ("api.jobs", "GET", "/api/v1/jobs", ADMINS),
]
PROTECTED = [r for r in ROUTES if r[3] != PUBLIC]
RESTRICTED = [r for r in PROTECTED if set(r[3]) != set(ROLES)]
WRONG_ROLE_ORDER = ("viewer", "buyer", "procurement", "csr_lead")


def _ids(routes: list[tuple[str, str, str, Any]]) -> list[str]:
    return [f"{m} {p}" for _, m, p, _ in routes]


def _wrong_role(allowed: tuple[str, ...]) -> str:
    return next(r for r in WRONG_ROLE_ORDER if r not in allowed)


def test_route_table_covers_every_rule_and_every_view_declares_access(app: Flask) -> None:
    table = {(e, m) for e, m, _, _ in ROUTES + FORM_POSTS}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (rule.endpoint, method) in table, f"{method} {rule.rule} is missing from the route table"
        if rule.endpoint == "static":
            continue
        roles = getattr(view, "_riskradar_roles", None)
        assert roles or getattr(view, "_riskradar_public", False), f"{rule.rule} has no roles_required/public"
    for endpoint, _, _, allowed in ROUTES:
        if allowed != PUBLIC and endpoint != "static":
            assert set(app.view_functions[endpoint]._riskradar_roles) | {"admin"} == set(allowed) | {"admin"}, endpoint


@pytest.mark.parametrize("endpoint,method,path,roles", PROTECTED, ids=_ids(PROTECTED))
def test_anonymous_is_sent_to_login_or_gets_401(app: Flask, endpoint: str, method: str, path: str, roles: Any) -> None:
    client = app.test_client()
    data = {"csrf_token": csrf_from(client)} if method != "GET" and not path.startswith("/api/") else None
    response = client.open(path, method=method, data=data)
    if path.startswith("/api/"):
        assert response.status_code == 401
        body = response.get_json()
        assert body["error"]["code"] == "unauthorized"
        assert "Bearer" in body["error"]["message"]
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("endpoint,method,path,roles", RESTRICTED, ids=_ids(RESTRICTED))
def test_wrong_role_gets_403(app: Flask, login_as: Any, seeded: dict[str, Any], endpoint: str, method: str,
                             path: str, roles: tuple[str, ...]) -> None:
    role = _wrong_role(roles)
    if path.startswith("/api/"):
        response = app.test_client().open(path, method=method, json={},
                                          headers={"Authorization": f"Bearer {seeded['tokens'][role]}"})
        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "forbidden"
    else:
        client = login_as(role)
        data = {"csrf_token": csrf_from(client, "/")} if method != "GET" else None
        response = client.open(path, method=method, data=data)
        assert response.status_code == 403
        assert "403" in response.get_data(as_text=True)


GETS = [r for r in PROTECTED if r[1] == "GET"]


@pytest.mark.parametrize("endpoint,method,path,roles", GETS, ids=_ids(GETS))
def test_allowed_role_gets_the_page(app: Flask, login_as: Any, seeded: dict[str, Any], endpoint: str, method: str,
                                    path: str, roles: tuple[str, ...]) -> None:
    role = next(r for r in ("viewer", "buyer", "procurement", "csr_lead", "admin") if r in roles)
    if path.startswith("/api/"):
        response = app.test_client().get(path, headers={"Authorization": f"Bearer {seeded['tokens'][role]}"})
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.is_json
    else:
        response = login_as(role).get(path)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("endpoint,method,path,roles", ROUTES[:5], ids=_ids(ROUTES[:5]))
def test_public_routes_need_no_login(app: Flask, endpoint: str, method: str, path: str, roles: Any) -> None:
    client = app.test_client()
    if method == "POST":
        response = client.post(path, data={"lang": "en", "csrf_token": csrf_from(client)})
        assert response.status_code == 302
    else:
        assert client.get(path).status_code == 200


FORM_POSTS = [r for r in PROTECTED if r[1] == "POST" and not r[2].startswith("/api/")] + [
    ("auth.login", "POST", "/login", PUBLIC), ("i18n.switch_language", "POST", "/lang", PUBLIC),
    ("onboarding.index", "POST", "/check", CHECKERS), ("admin.feeds", "POST", "/admin/feeds", FEEDS),
    ("admin.imports", "POST", "/admin/imports", DATA), ("admin.users", "POST", "/admin/users", ADMINS),
    ("admin.channels", "POST", "/admin/channels", ADMINS)]


@pytest.mark.parametrize("endpoint,method,path,roles", FORM_POSTS, ids=_ids(FORM_POSTS))
def test_form_post_without_csrf_token_is_rejected(login_as: Any, endpoint: str, method: str, path: str,
                                                   roles: Any) -> None:
    client = login_as("admin")
    response = client.post(path, data={"action": "confirm", "lang": "en", "username": "x", "password": "y"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_session_api_write_without_csrf_header_is_rejected(login_as: Any) -> None:
    client = login_as("admin")
    response = client.post("/api/v1/check", json={"name": "Acme"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    token = csrf_from(client, "/")
    ok = client.post("/api/v1/check", json={"name": "Acme"}, headers={"X-CSRFToken": token})
    assert ok.status_code in (200, 503)


def test_invalid_bearer_token_gets_401(app: Flask) -> None:
    response = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer rr_not-a-token"})
    assert response.status_code == 401


def test_security_headers_and_cookie_flags(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "http" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_demo_mode_adds_the_public_demo_feeds_and_nothing_unprotected(settings: Any, db: Any, seeded: Any) -> None:
    from riskradar.web import create_app

    demo = create_app(settings.replace(demo_mode=True), db)
    demo_rules = [r for r in demo.url_map.iter_rules() if r.rule.startswith("/demo/")]
    assert demo_rules, "demo mode registers the demo feeds blueprint"
    for rule in demo.url_map.iter_rules():
        view = demo.view_functions[rule.endpoint]
        assert rule.endpoint == "static" or getattr(view, "_riskradar_roles", None) or \
            getattr(view, "_riskradar_public", False), rule.rule
    assert demo.test_client().get("/demo/feeds/nope.xml").status_code in (200, 404)
