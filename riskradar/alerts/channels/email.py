"""Email over SMTP (``settings.smtp_*``): multipart text + HTML.

``Message-ID`` is derived from the idempotency key (and ``X-RiskRadar-Delivery`` carries it), so
a mail client or relay can recognise a redelivery after a crash as the same message.
"""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from email.utils import formatdate, getaddresses
from typing import Any

from riskradar.alerts.channels.base import BaseChannel, DeliveryError, register


def parse_addresses(target: str) -> list[str]:
    """Comma/semicolon separated addresses; ``ValueError`` for anything that is not one."""
    addresses = [addr for _, addr in getaddresses([target.replace(";", ",")]) if addr]
    if not addresses:
        raise ValueError(f"email: no address in {target!r}")
    for addr in addresses:
        local, _, domain = addr.partition("@")
        if not local or not domain or " " in addr:
            raise ValueError(f"email: {addr!r} is not an email address")
    return addresses


@register
class EmailChannel(BaseChannel):
    kind = "email"
    description = "email over SMTP (text + HTML)"

    def validate_target(self, target: str) -> str:
        return ", ".join(parse_addresses(target))

    def build(self, message, channel_row, settings) -> EmailMessage:  # type: ignore[no-untyped-def]
        r = self.render(message, channel_row, settings)
        mail = EmailMessage()
        mail["Subject"] = r.title
        mail["From"] = settings.smtp_from
        mail["To"] = ", ".join(parse_addresses(channel_row.target))
        mail["Date"] = formatdate(usegmt=True)
        domain = settings.smtp_from.partition("@")[2] or "riskradar.local"
        mail["Message-ID"] = f"<{message.idempotency_key}@{domain}>"
        mail["X-RiskRadar-Delivery"] = message.idempotency_key
        mail.set_content(r.text)
        mail.add_alternative(f"<!doctype html><html><body>{r.html}</body></html>", subtype="html")
        return mail

    def send(self, message, channel_row, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        mail = self.build(message, channel_row, settings)
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.fetch_timeout_seconds) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.smtp_password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"SMTP refused every recipient: {list(exc.recipients)}", retryable=False) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx is permanent, 4xx transient (RFC 5321).
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=exc.smtp_code < 500) from exc
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {type(exc).__name__}: {exc}") from exc
        return {"refused": sorted(refused)}
