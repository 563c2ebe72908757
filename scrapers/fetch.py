"""HTTP fetching of feeds with an SSRF guard, size cap, conditional GET and retries.

Every hop (the first URL and each redirect target) is checked *before* any connection is made:
only http/https, and the host must resolve to public addresses unless the allow-list
(``settings.allow_hosts``: host names or IPs/CIDRs) permits it. After connecting, the peer
address is checked again so a DNS answer that changed in between (rebinding) is refused too.
Bodies are streamed and abandoned as soon as they pass ``settings.fetch_max_bytes``.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence
from urllib.parse import urljoin, urlsplit

import requests

from riskradar.settings import Settings

REDIRECT_CODES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
RETRY_STATUS = {429, 500, 502, 503, 504}

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """Base class: the feed could not be fetched; the message says why."""


class UnsafeURLError(FetchError):
    """The URL (or a redirect target) is not allowed: bad scheme or a non-public address."""


class ResponseTooLargeError(FetchError):
    """The response body exceeded the configured size cap."""


class FetchTimeoutError(FetchError):
    """The server did not answer, or did not finish the body, in time."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class TooManyRedirectsError(FetchError):
    """More than :data:`MAX_REDIRECTS` redirects."""


@dataclass
class FetchResult:
    """Outcome of a successful fetch (``not_modified`` when the server said 304)."""

    url: str
    final_url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    not_modified: bool = False
    attempts: int = 1
    redirects: list[str] = field(default_factory=list)


# --- SSRF guard -------------------------------------------------------------------------------


def _as_ip(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None


def is_public_address(ip: IPAddress | str) -> bool:
    """True when ``ip`` is a globally routable unicast address.

    Private, loopback, link-local, multicast, reserved, unspecified, shared (CGNAT) and
    documentation ranges are not public; IPv4-mapped/6to4-embedded IPv6 addresses are judged by
    the IPv4 address inside them.
    """
    if isinstance(ip, str):
        parsed = _as_ip(ip)
        if parsed is None:
            return False
        ip = parsed
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified):
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"):
        return False
    return ip.is_global


def _allowed_networks(allow_hosts: Iterable[str]) -> tuple[set[str], list[ipaddress._BaseNetwork]]:
    names: set[str] = set()
    nets: list[ipaddress._BaseNetwork] = []
    for entry in allow_hosts:
        entry = entry.strip().lower().strip("[]")
        if not entry:
            continue
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, nets


def is_allowed_address(ip: IPAddress | str, allow_hosts: Sequence[str] = ()) -> bool:
    """Public addresses are allowed; others only when inside an allow-listed IP or CIDR."""
    parsed = _as_ip(ip) if isinstance(ip, str) else ip
    if parsed is None:
        return False
    if is_public_address(parsed):
        return True
    _, nets = _allowed_networks(allow_hosts)
    candidates = [parsed]
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        candidates.append(parsed.ipv4_mapped)
    return any(c.version == n.version and c in n for c in candidates for n in nets)


def default_resolver(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to (raises :class:`FetchError` when it does not)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    return sorted({info[4][0] for info in infos})


def check_url(url: str, allow_hosts: Sequence[str] = (), *, resolver: Resolver = default_resolver) -> list[str]:
    """Validate ``url`` before connecting; returns the addresses it resolves to.

    Raises :class:`UnsafeURLError` for a scheme other than http/https, a URL without host,
    credentials in the URL, or a host resolving to any non-public address that the allow-list
    does not permit (every resolved address must pass, so a mixed answer is refused).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"malformed URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(f"only http and https URLs are fetched, not {parts.scheme or 'no scheme'!r}: {url}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURLError(f"URL has no host: {url}")
    if parts.username or parts.password:
        raise UnsafeURLError(f"URLs with credentials are not fetched: {parts.scheme}://…@{host}")
    names, _ = _allowed_networks(allow_hosts)
    port = port or (443 if parts.scheme == "https" else 80)
    literal = _as_ip(host)
    addresses = [str(literal)] if literal is not None else resolver(host, port)
    if not addresses:
        raise FetchError(f"host {host!r} resolved to no address")
    if host.lower() in names:
        return addresses
    for address in addresses:
        if not is_allowed_address(address, allow_hosts):
            raise UnsafeURLError(
                f"refused {url}: host {host!r} resolves to non-public address {address} "
                "(add it to RISKRADAR_FETCH_ALLOW_HOSTS to allow)"
            )
    return addresses


def _peer_address(response: requests.Response) -> str | None:
    """The IP the response came from (best effort; None when urllib3 does not expose it)."""
    try:
        conn = getattr(response.raw, "_connection", None)
        sock = getattr(conn, "sock", None)
        return sock.getpeername()[0] if sock is not None else None
    except (OSError, AttributeError, IndexError):
        return None


def refused_peer(response: requests.Response, url: str, allow_hosts: Sequence[str]) -> str | None:
    """The non-public address ``response`` actually came from, unless allowed; else None.

    The second half of the SSRF guard (the first is :func:`check_url` before connecting): DNS
    can change between the check and the connection, so the connected peer is checked too. A
    host name on the allow-list allows whatever address it connects to.
    """
    peer = _peer_address(response)
    if not peer or is_allowed_address(peer, allow_hosts):
        return None
    names, _ = _allowed_networks(allow_hosts)
    return None if (urlsplit(url).hostname or "").lower() in names else peer


# --- fetching ---------------------------------------------------------------------------------


def _read_capped(response: requests.Response, max_bytes: int, deadline: float, url: str) -> bytes:
    """Read the (decoded) body, refusing it past ``max_bytes`` or past the overall ``deadline``."""
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise ResponseTooLargeError(f"{url}: Content-Length {int(length):,} bytes exceeds the cap of {max_bytes:,}")
    chunks: list[bytes] = []
    total = 0
    raw = response.raw
    while True:
        if time.monotonic() > deadline:
            raise FetchTimeoutError(f"{url}: body not complete within the time limit")
        try:
            # read1 returns as soon as some data arrives, so a trickling server hits the deadline.
            chunk = raw.read1(65536, decode_content=True)
        except Exception as exc:  # urllib3 wraps socket timeouts in several types
            if "timed out" in str(exc).lower() or isinstance(exc, (socket.timeout, TimeoutError)):
                raise FetchTimeoutError(f"{url}: timed out reading the body") from exc
            raise FetchError(f"{url}: error reading the body: {exc}") from exc
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise ResponseTooLargeError(f"{url}: response exceeds the cap of {max_bytes:,} bytes; refused")
        chunks.append(chunk)
    return b"".join(chunks)


def _fetch_once(
    http: requests.Session,
    url: str,
    *,
    settings: Settings,
    allow_hosts: Sequence[str],
    headers: dict[str, str],
    resolver: Resolver,
) -> FetchResult:
    """One attempt, following redirects manually and re-checking every hop."""
    timeout = settings.fetch_timeout_seconds
    deadline = time.monotonic() + timeout * 3  # connect + headers + body, overall
    current = url
    hops: list[str] = []
    for _ in range(MAX_REDIRECTS + 1):
        check_url(current, allow_hosts, resolver=resolver)
        try:
            response = http.get(current, headers=headers, timeout=(timeout, timeout), stream=True,
                                allow_redirects=False)
        except requests.Timeout as exc:
            raise FetchTimeoutError(f"{current}: timed out after {timeout:g}s") from exc
        except requests.RequestException as exc:
            raise FetchError(f"{current}: {type(exc).__name__}: {exc}") from exc
        try:
            peer = refused_peer(response, current, allow_hosts)
            if peer:
                raise UnsafeURLError(f"refused {current}: connected to non-public address {peer}")
            if response.status_code in REDIRECT_CODES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{current}: redirect {response.status_code} without Location")
                current = urljoin(current, location)
                hops.append(current)
                continue
            if response.status_code == 304:
                return FetchResult(url, current, 304, not_modified=True,
                                   etag=response.headers.get("ETag") or headers.get("If-None-Match"),
                                   last_modified=response.headers.get("Last-Modified")
                                   or headers.get("If-Modified-Since"),
                                   redirects=hops)
            if response.status_code >= 400:
                raise HTTPStatusError(f"{current}: HTTP {response.status_code} {response.reason or ''}".strip(),
                                      response.status_code)
            body = _read_capped(response, settings.fetch_max_bytes, deadline, current)
            return FetchResult(
                url, current, response.status_code, body,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
                redirects=hops,
            )
        finally:
            response.close()
    raise TooManyRedirectsError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _retryable(exc: FetchError) -> bool:
    if isinstance(exc, HTTPStatusError):
        return exc.status in RETRY_STATUS
    if isinstance(exc, (UnsafeURLError, ResponseTooLargeError, TooManyRedirectsError)):
        return False
    return True  # timeouts and connection errors


def fetch(
    url: str,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_hosts: Sequence[str] | None = None,
    backoff_seconds: float = 1.0,
    resolver: Resolver = default_resolver,
    http: requests.Session | None = None,
) -> FetchResult:
    """GET ``url`` safely; returns a :class:`FetchResult` or raises a :class:`FetchError` subclass.

    Sends ``If-None-Match``/``If-Modified-Since`` when ``etag``/``last_modified`` are given (a 304
    gives ``not_modified=True``). Timeouts, connection errors, 429 and 5xx are retried
    ``settings.fetch_retries`` times with exponential backoff (``backoff_seconds`` × 2^n); refusals
    (SSRF, size cap, redirects) are not retried.
    """
    allow = list(settings.allow_hosts if allow_hosts is None else allow_hosts)
    headers = {"User-Agent": settings.fetch_user_agent,
               "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
               "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own = http is None
    session = http or requests.Session()
    session.trust_env = False  # never route through an environment proxy (it would bypass the guard)
    try:
        attempts = max(0, settings.fetch_retries) + 1
        for attempt in range(attempts):
            try:
                result = _fetch_once(session, url, settings=settings, allow_hosts=allow, headers=headers,
                                     resolver=resolver)
                result.attempts = attempt + 1
                return result
            except FetchError as exc:
                if attempt + 1 >= attempts or not _retryable(exc):
                    if attempt:
                        exc.args = (f"{exc.args[0]} (after {attempt + 1} attempts)",)
                    raise
                time.sleep(backoff_seconds * (2 ** attempt))
        raise FetchError(f"{url}: no attempt made")  # pragma: no cover - attempts >= 1
    finally:
        if own:
            session.close()
