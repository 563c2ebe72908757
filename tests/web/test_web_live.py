"""The app under waitress on 127.0.0.1, spoken to over real HTTP with requests."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.web.seed_web import PASSWORD


def test_api_over_http_with_a_bearer_token(live_server: str, seeded: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {seeded['tokens']['viewer']}"}
    response = requests.get(f"{live_server}/api/v1/suppliers", params={"per_page": 7, "page": 2}, headers=headers,
                            timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["page"] == 2 and len(body["items"]) == 7 and body["total"] == 48
    assert requests.get(f"{live_server}/api/v1/suppliers", timeout=10).status_code == 401
    forbidden = requests.get(f"{live_server}/api/v1/jobs", headers=headers, timeout=10)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    bad = requests.get(f"{live_server}/api/v1/suppliers", params={"per_page": "lots"}, headers=headers, timeout=10)
    assert bad.status_code == 400 and "per_page" in bad.json()["error"]["message"]


def test_browser_style_session_login_and_csrf_over_http(live_server: str) -> None:
    with requests.Session() as http:
        page = http.get(f"{live_server}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert http.post(f"{live_server}/login", data={"username": "admin", "password": PASSWORD},
                         timeout=10).status_code == 400  # no CSRF token
        response = http.post(f"{live_server}/login", data={"username": "admin", "password": PASSWORD,
                                                           "csrf_token": token}, timeout=10, allow_redirects=False)
        assert response.status_code == 302
        assert "HttpOnly" in response.headers["Set-Cookie"]
        assert http.get(f"{live_server}/api/v1/me", timeout=10).json()["username"] == "admin"
        dashboard = http.get(f"{live_server}/", timeout=10)
        assert dashboard.status_code == 200 and 'id="fig-world"' in dashboard.text
        js = http.get(f"{live_server}/assets/plotly.min.js", timeout=10)
        assert js.status_code == 200 and len(js.content) > 1_000_000
        topo = http.get(f"{live_server}/static/topojson/world_110m.json", timeout=10)
        assert topo.status_code == 200 and topo.json()["type"] == "Topology"
        write = http.post(f"{live_server}/api/v1/check", json={"name": "Acme"}, timeout=10)
        assert write.status_code == 400 and write.json()["error"]["code"] == "csrf_failed"
