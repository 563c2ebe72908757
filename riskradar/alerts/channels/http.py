"""POSTing JSON to webhook channels through the project's SSRF guard (``scrapers.fetch``).

The target is checked with :func:`scrapers.fetch.check_url` before connecting (http/https only,
public addresses unless ``settings.allow_hosts`` permits), redirects are not followed, the peer
address is checked again after connecting (DNS rebinding), and the answer is read with a cap.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from riskradar.alerts.channels.base import DeliveryError
from riskradar.settings import Settings
from scrapers.fetch import FetchError, UnsafeURLError, check_url, refused_peer

MAX_RESPONSE_BYTES = 65536
# 408 Request Timeout and 429 Too Many Requests are worth retrying; other 4xx are not.
RETRYABLE_4XX = {408, 425, 429}

_local = threading.local()


def _session() -> requests.Session:
    # One keep-alive session per delivery thread (connections to the same receiver are reused).
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.trust_env = False  # an environment proxy would bypass the address check
        _local.session = session
    return session


@dataclass
class HttpAnswer:
    status: int
    text: str

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def validate_http_target(url: str, kind: str) -> str:
    """Syntax check for a webhook URL (the address check happens at send time)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{kind}: target must be an http(s) URL, got {url!r}")
    if parts.username or parts.password:
        raise ValueError(f"{kind}: credentials in the URL are not allowed")
    return url


def post_json(url: str, body: bytes, headers: dict[str, str], settings: Settings) -> HttpAnswer:
    """POST ``body`` to ``url``; return the answer for 2xx, raise :class:`DeliveryError` otherwise."""
    allow = settings.allow_hosts
    try:
        check_url(url, allow)
    except UnsafeURLError as exc:
        raise DeliveryError(str(exc), retryable=False) from exc
    except FetchError as exc:  # DNS failure: may be transient
        raise DeliveryError(str(exc)) from exc
    all_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": settings.fetch_user_agent}
    all_headers.update(headers)
    timeout = settings.fetch_timeout_seconds
    try:
        response = _session().post(url, data=body, headers=all_headers, timeout=(timeout, timeout),
                                   allow_redirects=False, stream=True)
    except requests.Timeout as exc:
        raise DeliveryError(f"{_safe(url)}: timed out after {timeout:g}s") from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"{_safe(url)}: {type(exc).__name__}") from exc
    try:
        peer = refused_peer(response, url, allow)
        if peer:
            raise DeliveryError(f"{_safe(url)}: connected to non-public address {peer}", retryable=False)
        raw = response.raw.read(MAX_RESPONSE_BYTES + 1, decode_content=True) or b""
        text = raw[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")
        status = response.status_code
    finally:
        response.close()
    if 200 <= status < 300:
        return HttpAnswer(status, text)
    # Redirects are not followed (a moved webhook is a configuration problem): not retried.
    retryable = status >= 500 or status in RETRYABLE_4XX
    raise DeliveryError(f"{_safe(url)}: HTTP {status} {text[:200]}".strip(), retryable=retryable)


def _safe(url: str) -> str:
    """The URL without its query string (robot URLs carry their access token there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (Chinese kept as characters)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
