"""Generic JSON webhook, signed with HMAC-SHA256 when the channel has a secret.

Headers: ``X-RiskRadar-Event``, ``X-RiskRadar-Delivery`` (the idempotency key: receivers drop a
delivery they have already processed), ``X-RiskRadar-Timestamp`` (Unix seconds) and
``X-RiskRadar-Signature: sha256=<hex>`` = HMAC-SHA256(secret, "<timestamp>." + raw body),
the scheme GitHub/Stripe-style receivers verify (timestamp bound in to stop replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from riskradar.alerts.channels.base import BaseChannel, register
from riskradar.alerts.channels.http import dumps, post_json, validate_http_target


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-RiskRadar-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Receiver side: constant-time check of a signature header."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@register
class WebhookChannel(BaseChannel):
    kind = "webhook"
    description = "generic JSON webhook (HMAC-SHA256 signed with the channel secret)"

    def validate_target(self, target: str) -> str:
        return validate_http_target(target, self.kind)

    def body(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        rendered = self.render(message, channel_row, settings)
        payload = message.payload
        return {
            "event": payload.get("event"),
            "idempotency_key": message.idempotency_key,
            "language": channel_row.language,
            "title": rendered.title,
            "text": rendered.text,
            "url": rendered.url,
            **({"alert": payload["alert"]} if "alert" in payload else {}),
            **({"digest": {k: payload[k] for k in ("day", "user", "alerts") if k in payload}}
               if payload.get("event") == "digest" else {}),
        }

    def send(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        raw = dumps(self.body(message, channel_row, settings))
        timestamp = str(int(time.time()))
        headers = {
            "X-RiskRadar-Event": str(message.payload.get("event", "")),
            "X-RiskRadar-Delivery": message.idempotency_key,
            "Idempotency-Key": message.idempotency_key,
            "X-RiskRadar-Timestamp": timestamp,
        }
        if channel_row.secret:
            headers["X-RiskRadar-Signature"] = sign(channel_row.secret, timestamp, raw)
        answer = post_json(channel_row.target, raw, headers, settings)
        return {"http_status": answer.status}
