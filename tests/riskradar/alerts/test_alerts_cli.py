"""``riskradar alerts`` commands over a real database (thin shells over the service)."""

from __future__ import annotations

import json

from alert_factories import make_article, make_supplier
from click.testing import CliRunner

from riskradar.cli import main


def _env(settings) -> dict[str, str]:
    return {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
            "RISKRADAR_SECRET_KEY": "test-secret", "RISKRADAR_FETCH_ALLOW_HOSTS": "127.0.0.1"}


def _run(settings, *args):
    return CliRunner().invoke(main, list(args), env=_env(settings), catch_exceptions=False)


def test_channels_add_list_remove(settings):
    out = _run(settings, "alerts", "channels", "add", "--kind", "dingtalk", "--target",
               "https://oapi.dingtalk.com/robot/send?access_token=SECRET", "--secret", "SECx", "--language", "en",
               "--name", "CSR group", "--json")
    assert out.exit_code == 0, out.output
    added = json.loads(out.output)
    assert added["kind"] == "dingtalk" and added["has_secret"] and "SECRET" not in added["target"]
    listed = json.loads(_run(settings, "alerts", "channels", "list", "--json").output)
    assert [c["id"] for c in listed] == [added["id"]]
    table = _run(settings, "alerts", "channels", "list").output
    assert "CSR group" in table and "access_token=SECRET" not in table
    assert _run(settings, "alerts", "channels", "remove", str(added["id"])).exit_code == 0
    gone = _run(settings, "alerts", "channels", "remove", str(added["id"]))
    assert gone.exit_code != 0 and "not found" in gone.output


def test_channels_add_refuses_bad_target(settings):
    out = CliRunner().invoke(main, ["alerts", "channels", "add", "--kind", "email", "--target", "nobody"],
                             env=_env(settings))
    assert out.exit_code != 0 and "not an email address" in out.output


def test_detect_list_show_deliver(db, settings, receiver):
    with db.scope() as s:
        sup = make_supplier(s)
        for _ in range(3):
            make_article(s, sup)
    assert _run(settings, "alerts", "channels", "add", "--kind", "webhook", "--target", receiver.url + "/h").exit_code == 0
    detected = json.loads(_run(settings, "alerts", "detect", "--json").output)
    assert detected["created"] == 1 and detected["evidence"] == 3 and detected["notifications"] == 1
    listed = json.loads(_run(settings, "alerts", "list", "--json").output)
    assert listed["total"] == 1 and listed["alerts"][0]["source_count"] == 3
    alert_id = listed["alerts"][0]["id"]
    assert "火灾/爆炸" in _run(settings, "alerts", "list").output
    assert json.loads(_run(settings, "alerts", "list", "--status", "resolved", "--json").output)["total"] == 0
    bad = CliRunner().invoke(main, ["alerts", "list", "--status", "open"], env=_env(settings))
    assert bad.exit_code != 0 and "unknown status" in bad.output

    delivered = json.loads(_run(settings, "alerts", "deliver", "--json").output)
    assert delivered["pass"]["sent"] == 1 and delivered["outbox"] == {"sent": 1}
    assert len(receiver.accepted()) == 1

    shown = json.loads(_run(settings, "alerts", "show", str(alert_id), "--json").output)
    assert len(shown["sources"]) == 3
    assert [h["action"] for h in shown["history"]] == ["created", "delivered"]
    assert shown["deliveries"][0]["status"] == "sent"
    text = _run(settings, "alerts", "show", str(alert_id), "--lang", "en").output
    assert "Fire or explosion" in text and "history:" in text
    missing = CliRunner().invoke(main, ["alerts", "show", "999"], env=_env(settings))
    assert missing.exit_code != 0 and "alert 999 not found" in missing.output
