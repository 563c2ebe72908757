"""Slack incoming webhook.

Documented format (Sending messages using incoming webhooks, api.slack.com/messaging/webhooks):
POST ``{"text": ..., "blocks": [...]}`` to ``https://hooks.slack.com/services/...``; ``text`` is
the notification fallback when ``blocks`` are present; Slack answers ``200 ok``. No signing
(the URL is the credential).
"""

from __future__ import annotations

from typing import Any

from riskradar.alerts.channels.base import BaseChannel, register
from riskradar.alerts.channels.http import dumps, post_json, validate_http_target

MAX_SECTION_CHARS = 3000  # Block Kit limit for a section's text


def _mrkdwn_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@register
class SlackChannel(BaseChannel):
    kind = "slack"
    description = "Slack incoming webhook (text + Block Kit blocks)"

    def validate_target(self, target: str) -> str:
        return validate_http_target(target, self.kind)

    def body(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        r = self.render(message, channel_row, settings)
        fields = [{"type": "mrkdwn", "text": f"*{_mrkdwn_escape(k)}*\n{_mrkdwn_escape(v)}"} for k, v in r.lines[:10]]
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": r.title[:150]}},
        ]
        if fields:
            blocks.append({"type": "section", "fields": fields})
        if r.links:
            links = "\n".join(f"• <{u}|{_mrkdwn_escape(t)}>" for t, u in r.links)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": links[:MAX_SECTION_CHARS]}})
        open_label = "在 RiskRadar 中查看" if channel_row.language == "zh" else "Open in RiskRadar"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{r.url}|{open_label}>"}})
        return {"text": f"{r.title} {r.url}", "blocks": blocks}

    def send(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        answer = post_json(channel_row.target, dumps(self.body(message, channel_row, settings)),
                           {"X-RiskRadar-Delivery": message.idempotency_key}, settings)
        return {"http_status": answer.status}
