"""Feishu (飞书) custom bot.

Documented format (自定义机器人使用指南, open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
POST ``{"msg_type": "interactive", "card": {...}}`` (or ``{"msg_type": "text", "content":
{"text": ...}}``) to ``https://open.feishu.cn/open-apis/bot/v2/hook/<token>``. With 签名校验 the
body also carries ``"timestamp"`` (Unix seconds, string) and ``"sign"`` =
base64(HmacSHA256(key=timestamp + "\\n" + secret, msg=b"")). The answer is
``{"code": 0, "msg": "success"}``; a non-zero ``code`` is a refusal (e.g. 19021 bad signature).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from riskradar.alerts.channels.base import BaseChannel, DeliveryError, register
from riskradar.alerts.channels.http import dumps, post_json, validate_http_target


def sign(secret: str, timestamp: str) -> str:
    """Feishu's signature: the key is ``timestamp\\nsecret``, the message is empty."""
    key = f"{timestamp}\n{secret}".encode("utf-8")
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


@register
class FeishuChannel(BaseChannel):
    kind = "feishu"
    description = "飞书 custom bot (interactive card, signed when a secret is set)"

    def validate_target(self, target: str) -> str:
        return validate_http_target(target, self.kind)

    def body(self, message, channel_row, settings, *, timestamp: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        r = self.render(message, channel_row, settings)
        open_label = "在 RiskRadar 中查看" if channel_row.language == "zh" else "Open in RiskRadar"
        fields = [{"is_short": True, "text": {"tag": "lark_md", "content": f"**{k}**\n{v}"}} for k, v in r.lines]
        elements: list[dict[str, Any]] = [{"tag": "div", "fields": fields}] if fields else []
        if r.links:
            links_md = "\n".join(f"- [{t.replace('[', '(').replace(']', ')')}]({u})" for t, u in r.links)
            elements.append({"tag": "div", "text": {"tag": "lark_md", "content": links_md}})
        elements.append({"tag": "action", "actions": [
            {"tag": "button", "text": {"tag": "plain_text", "content": open_label}, "type": "danger", "url": r.url}
        ]})
        body: dict[str, Any] = {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {"template": "red", "title": {"tag": "plain_text", "content": r.title}},
                "elements": elements,
            },
        }
        if channel_row.secret:
            ts = timestamp or str(int(time.time()))
            body = {"timestamp": ts, "sign": sign(channel_row.secret, ts), **body}
        return body

    def send(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        answer = post_json(channel_row.target, dumps(self.body(message, channel_row, settings)),
                           {"X-RiskRadar-Delivery": message.idempotency_key}, settings)
        data = answer.json()
        if isinstance(data, dict):
            code = data.get("code", data.get("StatusCode", 0))
            if code not in (0, "0", None):
                raise DeliveryError(f"Feishu refused the message: code={code} {data.get('msg', '')}")
        return {"http_status": answer.status}
