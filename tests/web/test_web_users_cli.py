"""Users service and the ``riskradar users`` / ``riskradar serve`` commands."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar.cli import main
from riskradar.domain import ApiToken
from riskradar.domain.base import utcnow
from riskradar.services import users as svc
from riskradar.settings import Settings


def test_passwords_are_hashed_and_tokens_stored_as_sha256(session: Session) -> None:
    user = svc.create_user(session, "wang", "long-enough-pw", "buyer")
    assert user.password_hash != "long-enough-pw" and "long-enough-pw" not in user.password_hash
    token = svc.create_api_token(session, user, "script")
    row = session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert svc.user_for_token(session, token).id == user.id
    row.revoked = True
    assert svc.user_for_token(session, token) is None


def test_user_validation_messages(session: Session) -> None:
    with pytest.raises(svc.UserError, match="unknown role"):
        svc.create_user(session, "a", "long-enough-pw", "emperor")
    with pytest.raises(svc.UserError, match="at least 8"):
        svc.create_user(session, "a", "short", "viewer")
    svc.create_user(session, "a", "long-enough-pw", "viewer")
    with pytest.raises(svc.UserError, match="already exists"):
        svc.create_user(session, "A", "long-enough-pw", "viewer")


def test_account_locks_after_repeated_failures_and_unlocks_later(session: Session) -> None:
    svc.create_user(session, "li", "long-enough-pw", "viewer")
    for _ in range(svc.MAX_FAILED_LOGINS):
        assert svc.authenticate(session, "li", "wrong") is None
    assert svc.authenticate(session, "li", "long-enough-pw") is None  # locked
    later = utcnow() + timedelta(minutes=svc.LOCK_MINUTES + 1)
    assert svc.authenticate(session, "li", "long-enough-pw", now=later) is not None


def test_ensure_demo_admin_creates_one_admin_once(session: Session) -> None:
    created = svc.ensure_demo_admin(session)
    assert created is not None
    username, password = created
    assert svc.authenticate(session, username, password).role == "admin"
    assert svc.ensure_demo_admin(session) is None


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": "test", "RISKRADAR_SCHEDULER_IN_WEB": "false"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_users_cli_create_list_and_token(cli_env: dict[str, str], session: Session) -> None:
    runner = CliRunner()
    created = runner.invoke(main, ["users", "create", "zhao", "--role", "csr_lead"])
    assert created.exit_code == 0, created.output
    assert "password: " in created.output
    stdin = runner.invoke(main, ["users", "create", "qian", "--role", "viewer", "--password-stdin"],
                          input="from-stdin-pw\n")
    assert stdin.exit_code == 0 and "password:" not in stdin.output
    assert svc.authenticate(session, "qian", "from-stdin-pw") is not None
    bad = runner.invoke(main, ["users", "create", "sun", "--role", "csr_lead", "--password-stdin"], input="x\n")
    assert bad.exit_code != 0 and "at least 8" in bad.output
    listed = json.loads(runner.invoke(main, ["users", "list", "--json"]).output)
    assert {u["username"]: u["role"] for u in listed} == {"qian": "viewer", "zhao": "csr_lead"}
    token = runner.invoke(main, ["users", "token", "zhao", "--name", "erp"]).output.strip()
    session.expire_all()
    assert svc.user_for_token(session, token).username == "zhao"
    assert runner.invoke(main, ["users", "token", "nobody", "--name", "x"]).exit_code != 0


def test_users_cli_set_password_replaces_a_lost_password(cli_env: dict[str, str], session: Session) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["users", "create", "li", "--role", "admin", "--password-stdin"],
                         input="old-password\n").exit_code == 0
    changed = runner.invoke(main, ["users", "set-password", "li"])
    assert changed.exit_code == 0, changed.output
    new = changed.output.split("password: ", 1)[1].strip()
    session.expire_all()
    assert svc.authenticate(session, "li", "old-password") is None
    assert svc.authenticate(session, "li", new) is not None


def test_users_cli_set_password_of_unknown_user_fails(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["users", "set-password", "nobody"])
    assert result.exit_code != 0 and "no user 'nobody'" in result.output


def test_serve_prints_the_url_and_answers_over_http(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**os.environ, **cli_env}
    proc = subprocess.Popen([sys.executable, "-m", "riskradar", "serve", "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        line = proc.stdout.readline()
        assert "RiskRadar is running at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split("running at ")[1].split()[0]
        response = requests.get(url + "login", timeout=10)
        assert response.status_code == 200 and "RiskRadar" in response.text
        assert requests.get(url + "api/v1/suppliers", timeout=10).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=15)
