"""Each channel sends its vendor's documented format to a real receiver on 127.0.0.1."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import socket
from email import policy
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from alert_factories import make_article, make_supplier
from sqlalchemy import select

from riskradar.alerts import service
from riskradar.alerts.channels import get_channel, registered_kinds
from riskradar.alerts.channels.webhook import verify
from riskradar.domain import OutboxMessage


def _free_port() -> int:
    """A port on 127.0.0.1 nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _one_alert_delivered(db, settings, kind, target, *, secret=None, language="zh"):
    with db.scope() as s:
        channel = service.add_channel(s, kind, target, secret=secret, language=language)
        sup = make_supplier(s)
        art = make_article(s, sup, title="Huaqiang Electronics dormitory fire injures 3", url="https://news.example.com/fire-1")
    with db.scope() as s:
        alert = service.detect_alerts(s, settings)[0]
    counts = service.deliver_due(db, settings)
    return channel, alert, art, counts


def test_registry_has_every_documented_kind():
    assert registered_kinds() == ["dingtalk", "email", "feishu", "slack", "webhook", "wecom"]
    with pytest.raises(ValueError, match="unknown channel kind 'fax'"):
        get_channel("fax")


def test_generic_webhook_is_signed_json(db, settings, receiver):
    channel, alert, art, counts = _one_alert_delivered(db, settings, "webhook", receiver.url + "/in",
                                                       secret="topsecret", language="en")
    assert counts["sent"] == 1
    req = receiver.accepted()[0]
    assert req.path == "/in"
    ts, sig = req.headers["X-RiskRadar-Timestamp"], req.headers["X-RiskRadar-Signature"]
    assert sig.startswith("sha256=")
    expected = hmac.new(b"topsecret", ts.encode() + b"." + req.body, hashlib.sha256).hexdigest()
    assert sig == f"sha256={expected}" and verify("topsecret", ts, req.body, sig)
    assert not verify("wrong", ts, req.body, sig)
    body = req.json()
    assert body["event"] == "alert.created"
    assert body["idempotency_key"] == req.headers["X-RiskRadar-Delivery"] == req.headers["Idempotency-Key"]
    assert body["alert"]["id"] == alert.id and body["alert"]["category"] == "fire"
    assert body["alert"]["supplier"]["name_en"] == "Huaqiang Electronics Co., Ltd."
    assert body["alert"]["sources"][0] == {"kind": "article", "ref_id": art.id, "url": art.url, "title": art.title}
    assert body["url"] == f"{settings.base_url}/alerts/{alert.id}"
    assert "Fire or explosion" in body["title"]


def test_wecom_markdown_robot_message(db, settings, receiver):
    _, alert, art, counts = _one_alert_delivered(db, settings, "wecom", receiver.url + "/cgi-bin/webhook/send?key=abc")
    assert counts["sent"] == 1
    req = receiver.accepted()[0]
    assert req.path == "/cgi-bin/webhook/send?key=abc"
    body = req.json()
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert "深圳华强电子有限公司" in content and "火灾/爆炸" in content  # zh channel: zh names
    assert f"({art.url})" in content and f"/alerts/{alert.id})" in content
    assert len(content.encode("utf-8")) <= 4096


def test_dingtalk_markdown_with_documented_signature(db, settings, receiver):
    _, alert, _, counts = _one_alert_delivered(db, settings, "dingtalk", receiver.url + "/robot/send?access_token=tok",
                                               secret="SECabc123")
    assert counts["sent"] == 1
    req = receiver.accepted()[0]
    query = parse_qs(urlsplit(req.path).query)
    assert query["access_token"] == ["tok"]
    timestamp = query["timestamp"][0]
    assert len(timestamp) == 13  # milliseconds
    # Receiver side per DingTalk: Base64(HmacSHA256(secret, timestamp + "\n" + secret)).
    expected = base64.b64encode(hmac.new(b"SECabc123", f"{timestamp}\nSECabc123".encode(), hashlib.sha256).digest()).decode()
    assert query["sign"][0] == expected
    assert unquote_plus(urlsplit(req.path).query.split("sign=")[1]) == expected  # URL-encoded on the wire
    body = req.json()
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    assert "红线预警" in body["markdown"]["title"]
    assert f"/alerts/{alert.id})" in body["markdown"]["text"]


def test_dingtalk_without_secret_adds_no_signature(db, settings, receiver):
    _one_alert_delivered(db, settings, "dingtalk", receiver.url + "/robot/send?access_token=tok")
    assert parse_qs(urlsplit(receiver.accepted()[0].path).query) == {"access_token": ["tok"]}


def test_feishu_interactive_card_with_documented_signature(db, settings, receiver):
    _, alert, art, counts = _one_alert_delivered(db, settings, "feishu", receiver.url + "/open-apis/bot/v2/hook/xyz",
                                                 secret="feishu-secret", language="en")
    assert counts["sent"] == 1
    body = receiver.accepted()[0].json()
    # Receiver side per Feishu: Base64(HmacSHA256(key=timestamp + "\n" + secret, message="")).
    key = f"{body['timestamp']}\nfeishu-secret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["timestamp"].isdigit() and len(body["timestamp"]) == 10  # seconds
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"]["tag"] == "plain_text"
    assert "Fire or explosion" in card["header"]["title"]["content"]
    button = card["elements"][-1]["actions"][0]
    assert button["tag"] == "button" and button["url"] == f"{settings.base_url}/alerts/{alert.id}"
    assert any(art.url in json.dumps(e) for e in card["elements"])


def test_slack_incoming_webhook_text_and_blocks(db, settings, receiver):
    receiver.answer_body = b"ok"
    _, alert, _, counts = _one_alert_delivered(db, settings, "slack", receiver.url + "/services/T/B/X", language="en")
    assert counts["sent"] == 1
    body = receiver.accepted()[0].json()
    assert isinstance(body["text"], str) and "Fire or explosion" in body["text"]
    assert body["blocks"][0]["type"] == "header" and body["blocks"][0]["text"]["type"] == "plain_text"
    assert all(b["type"] in {"header", "section"} for b in body["blocks"])
    assert f"<{settings.base_url}/alerts/{alert.id}|Open in RiskRadar>" in json.dumps(body["blocks"])


@pytest.mark.parametrize("kind,answer", [("wecom", b'{"errcode":45009,"errmsg":"api freq out of limit"}'),
                                         ("dingtalk", b'{"errcode":310000,"errmsg":"sign not match"}'),
                                         ("feishu", b'{"code":19021,"msg":"sign match fail"}')])
def test_robot_refusal_in_a_200_answer_is_a_failure(db, settings, receiver, kind, answer):
    receiver.answer_body = answer
    _, _, _, counts = _one_alert_delivered(db, settings, kind, receiver.url + "/hook")
    assert counts["sent"] == 0 and counts["retry"] == 1
    with db.scope() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert msg.status == "pending" and "refused" in msg.last_error


def test_email_over_smtp_multipart(db, settings):
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            self.messages.append(envelope)
            return "250 OK"

    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_settings = settings.replace(smtp_host="127.0.0.1", smtp_port=port, smtp_from="alerts@riskradar.test")
        _, alert, art, counts = _one_alert_delivered(db, smtp_settings, "email", "csr@example.com, cso@example.com")
    finally:
        controller.stop()
    assert counts["sent"] == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["csr@example.com", "cso@example.com"]
    msg = email.message_from_bytes(envelope.content, policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert "红线预警" in msg["Subject"] and "深圳华强电子有限公司" in msg["Subject"]
    with db.scope() as s:
        key = s.scalars(select(OutboxMessage.idempotency_key)).one()
    assert msg["Message-ID"] == f"<{key}@riskradar.test>" and msg["X-RiskRadar-Delivery"] == key
    text = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert f"/alerts/{alert.id}" in text and art.url in text
    assert f"href='{art.url}'" in html_part


def test_email_to_unreachable_server_is_retried(db, settings):
    _, _, _, counts = _one_alert_delivered(db, settings.replace(smtp_port=_free_port()), "email", "csr@example.com")
    assert counts["retry"] == 1


def test_bad_targets_are_refused_when_adding(session):
    with pytest.raises(ValueError, match="http"):
        service.add_channel(session, "wecom", "ftp://example.com/x")
    with pytest.raises(ValueError, match="not an email address"):
        service.add_channel(session, "email", "not-an-address")
    with pytest.raises(ValueError, match="language"):
        service.add_channel(session, "slack", "https://hooks.slack.com/services/x", language="fr")


def test_daily_digest_is_delivered_in_the_channel_language(db, settings, receiver):
    from alert_factories import make_user

    with db.scope() as s:
        user = make_user(s)
        channel = service.add_channel(s, "wecom", receiver.url + "/digest", language="zh")
        service.subscribe(s, user.id, channel.id, daily_digest=True)
        make_article(s, make_supplier(s))
    with db.scope() as s:
        alert = service.detect_alerts(s, settings)[0]
        day = alert.first_seen_at.date()
    assert service.deliver_due(db, settings)["sent"] == 0  # digest-only channel: no immediate message
    assert service.send_daily_digests(db, settings, day=day) == 1
    assert service.deliver_due(db, settings)["sent"] == 1
    content = receiver.accepted()[0].json()["markdown"]["content"]
    assert "每日预警摘要" in content and day.isoformat() in content
    assert f"/alerts/{alert.id})" in content and "深圳华强电子有限公司" in content
