"""Fixtures for the web tests: a seeded database, the app, logged-in clients, a live server."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from riskradar.db import Database
from riskradar.services import users as users_service
from riskradar.settings import Settings
from riskradar.web import create_app
from tests.conftest import make_settings
from tests.web.seed_web import PASSWORD, seed_data, seed_users

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory, _migrated_sqlite_template: Path) -> tuple[Path, dict[str, Any]]:
    """Seed once per session (password hashing is deliberately slow); tests get a copy of the file."""
    data_dir = tmp_path_factory.mktemp("seeded")
    shutil.copy(_migrated_sqlite_template, data_dir / "riskradar.db")
    database = Database(make_settings(data_dir))
    # Test users get a cheap hash (the method is stored in the hash): logins in ~200 tests.
    saved, users_service.PASSWORD_HASH_METHOD = users_service.PASSWORD_HASH_METHOD, "pbkdf2:sha256:1000"
    try:
        with database.scope() as session:
            tokens = seed_users(session)
    finally:
        users_service.PASSWORD_HASH_METHOD = saved
    with database.scope() as session:
        data = seed_data(session)
        info = {"supplier_refs": [s.external_ref for s in data["suppliers"]],
                "alert_ids": [a.id for a in data["alerts"]], "feed_id": data["feed"].id,
                "article_ids": [a.id for a in data["articles"]]}
    database.dispose()
    return data_dir / "riskradar.db", {"tokens": tokens, **info}


@pytest.fixture
def seeded(settings: Settings, _seeded_template: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    """Users of every role (username = role, with API tokens) and a small supply base with evidence."""
    path, info = _seeded_template
    shutil.copy(path, settings.data_dir / "riskradar.db")
    return info


@pytest.fixture
def app(seeded: dict[str, Any], settings: Settings, db: Database) -> Flask:
    """The app on the seeded database (dashboard cache off so each test sees its own data)."""
    application = create_app(settings, db)
    application.config.update(TESTING=True, RISKRADAR_CACHE_SECONDS=0)
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_from(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token embedded in the form of ``path``."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token in {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Log in through the real form (with its CSRF token)."""
    token = csrf_from(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(app: Flask) -> Callable[[str], FlaskClient]:
    """A fresh client logged in as the user named after ``role``."""
    def make(role: str) -> FlaskClient:
        c = app.test_client()
        response = login(c, role)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c
    return make


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app under waitress on 127.0.0.1 (free port) in a thread; yields the base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)

    def serve() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            pass  # close() from the test thread pulls the socket out from under select()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
