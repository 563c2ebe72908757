"""WeCom (企业微信) group robot.

Documented format (群机器人配置说明, developer.work.weixin.qq.com/document/path/91770):
POST JSON ``{"msgtype": "markdown", "markdown": {"content": "..."}}`` to
``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...``; content ≤ 4096 bytes UTF-8; the
answer is ``{"errcode": 0, "errmsg": "ok"}`` (non-zero errcode = failure, e.g. 45009 rate limit).
The robot has no signing: the key in the URL is the credential.
"""

from __future__ import annotations

from typing import Any

from riskradar.alerts.channels.base import BaseChannel, DeliveryError, register
from riskradar.alerts.channels.http import dumps, post_json, validate_http_target

MAX_CONTENT_BYTES = 4096


def truncate_utf8(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-8 bytes without splitting a character."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"


def check_errcode(answer_json: Any, vendor: str) -> None:
    """WeCom/DingTalk answer HTTP 200 with a non-zero ``errcode`` when they refuse a message."""
    if isinstance(answer_json, dict) and answer_json.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(f"{vendor} refused the message: errcode={answer_json.get('errcode')} "
                            f"{answer_json.get('errmsg', '')}")


@register
class WeComChannel(BaseChannel):
    kind = "wecom"
    description = "企业微信 group robot (markdown message)"

    def validate_target(self, target: str) -> str:
        return validate_http_target(target, self.kind)

    def body(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        rendered = self.render(message, channel_row, settings)
        return {"msgtype": "markdown", "markdown": {"content": truncate_utf8(rendered.markdown, MAX_CONTENT_BYTES)}}

    def send(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        answer = post_json(channel_row.target, dumps(self.body(message, channel_row, settings)),
                           {"X-RiskRadar-Delivery": message.idempotency_key}, settings)
        check_errcode(answer.json(), "WeCom")
        return {"http_status": answer.status}
