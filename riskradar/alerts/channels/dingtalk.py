"""DingTalk (钉钉) custom robot.

Documented format (自定义机器人接入 / 消息类型, open.dingtalk.com/document/robots/custom-robot-access
and 自定义机器人安全设置 open.dingtalk.com/document/robots/customize-robot-security-settings):
POST ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}`` to
``https://oapi.dingtalk.com/robot/send?access_token=...``. With the 加签 security setting the URL
also carries ``&timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(key=secret,
msg=timestamp + "\\n" + secret)))>``. The answer is ``{"errcode": 0, "errmsg": "ok"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote_plus

from riskradar.alerts.channels.base import BaseChannel, register
from riskradar.alerts.channels.http import dumps, post_json, validate_http_target
from riskradar.alerts.channels.wecom import check_errcode


def sign(secret: str, timestamp_ms: str) -> str:
    """The (not yet URL-encoded) ``sign`` for ``timestamp_ms`` per DingTalk's 加签 algorithm."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str | None, timestamp_ms: str | None = None) -> str:
    """``url`` with ``timestamp`` and ``sign`` query parameters when a secret is set."""
    if not secret:
        return url
    ts = timestamp_ms or str(int(time.time() * 1000))
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={ts}&sign={quote_plus(sign(secret, ts))}"


@register
class DingTalkChannel(BaseChannel):
    kind = "dingtalk"
    description = "钉钉 custom robot (markdown message, 加签 when a secret is set)"

    def validate_target(self, target: str) -> str:
        return validate_http_target(target, self.kind)

    def body(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        rendered = self.render(message, channel_row, settings)
        return {"msgtype": "markdown", "markdown": {"title": rendered.title, "text": rendered.markdown}}

    def send(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        url = signed_url(channel_row.target, channel_row.secret)
        answer = post_json(url, dumps(self.body(message, channel_row, settings)),
                           {"X-RiskRadar-Delivery": message.idempotency_key}, settings)
        check_errcode(answer.json(), "DingTalk")
        return {"http_status": answer.status}
