"""scrapers.fetch against a real HTTP server on 127.0.0.1 (allowed via the test allow-list)."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
import requests

from scrapers.fetch import (
    FetchTimeoutError,
    HTTPStatusError,
    ResponseTooLargeError,
    UnsafeURLError,
    check_url,
    fetch,
    is_allowed_address,
    is_public_address,
)
from tests.scrapers.feed_http_server import FeedServer, rss, send

FEED = rss([("Factory fire in Dongguan", "http://example.com/a")])


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def fast(settings):  # type: ignore[no-untyped-def]
    """Settings with short timeouts so failure cases finish quickly."""
    return settings.replace(fetch_timeout_seconds=0.5, fetch_retries=0)


class RecordingSession(requests.Session):
    """A real requests session that remembers every URL it was asked to connect to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def get(self, url, **kwargs):  # type: ignore[no-untyped-def, override]
        self.urls.append(url)
        return super().get(url, **kwargs)


def test_fetches_a_feed_with_validators(server, settings):
    server.routes["/feed.xml"] = lambda h: send(h, 200, FEED, headers={"ETag": '"v1"', "Last-Modified": "Mon, 06 May 2024 08:00:00 GMT"})
    result = fetch(server.url("/feed.xml"), settings)
    assert result.status == 200 and result.body == FEED
    assert result.etag == '"v1"' and result.last_modified == "Mon, 06 May 2024 08:00:00 GMT"
    assert not result.not_modified


def test_conditional_get_returns_not_modified(server, settings):
    def route(h):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.send_header("Content-Length", "0")
            h.end_headers()
        else:
            send(h, 200, FEED, headers={"ETag": '"v1"'})

    server.routes["/feed.xml"] = route
    first = fetch(server.url("/feed.xml"), settings)
    second = fetch(server.url("/feed.xml"), settings, etag=first.etag)
    assert second.not_modified and second.status == 304 and second.body == b""
    assert server.requests[-1][1]["if-none-match"] == '"v1"'


def test_server_that_never_answers_in_time_is_a_timeout(server, fast):
    def route(h):
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(b"<rss>")
        h.wfile.flush()
        time.sleep(3)

    server.routes["/slow.xml"] = route
    with pytest.raises(FetchTimeoutError, match="timed out"):
        fetch(server.url("/slow.xml"), fast)


def test_trickling_body_hits_the_overall_deadline(server, fast):
    def route(h):
        h.send_response(200)
        h.end_headers()
        for _ in range(40):  # one byte every 0.2 s: each read is quick, the whole is too slow
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.2)

    server.routes["/trickle.xml"] = route
    with pytest.raises(FetchTimeoutError, match="time limit"):
        fetch(server.url("/trickle.xml"), fast)


def test_50_mb_response_with_length_is_refused_before_reading(server, fast):
    def route(h):
        h.send_response(200)
        h.send_header("Content-Length", str(50_000_000))
        h.end_headers()
        chunk = b"x" * 65536
        for _ in range(50_000_000 // 65536):
            h.wfile.write(chunk)

    server.routes["/big.xml"] = route
    with pytest.raises(ResponseTooLargeError, match="exceeds the cap"):
        fetch(server.url("/big.xml"), fast.replace(fetch_timeout_seconds=5))


def test_50_mb_streamed_response_is_abandoned_at_the_cap(server, fast):
    sent = []

    def route(h):
        h.send_response(200)
        h.send_header("Connection", "close")  # no Content-Length: the size is only known by reading
        h.end_headers()
        chunk = b"y" * 65536
        for _ in range(50_000_000 // 65536):
            h.wfile.write(chunk)
            sent.append(len(chunk))

    server.routes["/stream.xml"] = route
    capped = fast.replace(fetch_max_bytes=1_000_000, fetch_timeout_seconds=5)
    with pytest.raises(ResponseTooLargeError, match="1,000,000"):
        fetch(server.url("/stream.xml"), capped)


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/feed.xml",
                                    "http://[::ffff:10.0.0.1]/x", "http://internal.test/feed.xml"])
def test_redirect_to_private_address_is_refused_without_connecting(server, fast, target):
    server.routes["/moved.xml"] = lambda h: send(h, 302, b"", headers={"Location": target})
    http = RecordingSession()

    def resolver(host, port):
        return {"127.0.0.1": ["127.0.0.1"], "internal.test": ["10.1.2.3"]}[host]

    with pytest.raises(UnsafeURLError, match="non-public address"):
        fetch(server.url("/moved.xml"), fast, http=http, resolver=resolver)
    assert http.urls == [server.url("/moved.xml")]  # the private target was never requested


def test_redirect_to_an_allowed_address_is_followed(server, settings):
    server.routes["/old.xml"] = lambda h: send(h, 301, b"", headers={"Location": "/new.xml"})
    server.routes["/new.xml"] = lambda h: send(h, 200, FEED)
    result = fetch(server.url("/old.xml"), settings)
    assert result.final_url == server.url("/new.xml") and result.body == FEED


def test_5xx_then_success_is_retried(server, settings):
    calls = []

    def route(h):
        calls.append(1)
        if len(calls) == 1:
            send(h, 503, b"busy", "text/plain")
        else:
            send(h, 200, FEED)

    server.routes["/flaky.xml"] = route
    result = fetch(server.url("/flaky.xml"), settings.replace(fetch_retries=2), backoff_seconds=0.01)
    assert result.body == FEED and result.attempts == 2


def test_persistent_5xx_gives_up_after_the_retries(server, settings):
    server.routes["/down.xml"] = lambda h: send(h, 500, b"oops", "text/plain")
    with pytest.raises(HTTPStatusError, match="after 3 attempts") as info:
        fetch(server.url("/down.xml"), settings.replace(fetch_retries=2), backoff_seconds=0.01)
    assert info.value.status == 500 and server.hits("/down.xml") == 3


def test_404_is_not_retried(server, settings):
    with pytest.raises(HTTPStatusError, match="404"):
        fetch(server.url("/missing.xml"), settings.replace(fetch_retries=3), backoff_seconds=0.01)
    assert server.hits("/missing.xml") == 1


def test_loopback_is_refused_without_the_allow_list(server, settings):
    server.routes["/feed.xml"] = lambda h: send(h, 200, FEED)
    with pytest.raises(UnsafeURLError, match="127.0.0.1"):
        fetch(server.url("/feed.xml"), settings.replace(fetch_allow_hosts=""))
    assert server.hits("/feed.xml") == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://x/", "javascript:alert(1)",
                                 "http://user:pw@example.com/feed", "http:///nohost"])
def test_only_plain_http_and_https_urls_are_fetched(url, settings):
    with pytest.raises(UnsafeURLError):
        fetch(url, settings)


# --- SSRF guard on addresses -------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1",
    "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:0a00:0001::1",
    "64:ff9b::a00:1", "not-an-ip",
])
def test_non_public_addresses_are_refused(address):
    assert not is_public_address(address)
    assert not is_allowed_address(address, [])


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert is_public_address(address)


def test_allow_list_accepts_ips_cidrs_and_mapped_forms():
    allow = ["127.0.0.1", "10.20.0.0/16"]
    assert is_allowed_address("127.0.0.1", allow)
    assert is_allowed_address("::ffff:127.0.0.1", allow)
    assert is_allowed_address("10.20.3.4", allow)
    assert not is_allowed_address("10.21.0.1", allow)
    assert not is_allowed_address("127.0.0.2", allow)


def test_host_resolving_to_any_private_address_is_refused():
    def resolver(host, port):
        return ["93.184.216.34", "10.0.0.7"]  # a mixed answer must not slip through

    with pytest.raises(UnsafeURLError, match="10.0.0.7"):
        check_url("http://feeds.example.com/rss", resolver=resolver)


def test_allow_listed_host_name_is_accepted():
    assert check_url("http://intranet.local/rss", ["intranet.local"], resolver=lambda h, p: ["10.9.9.9"]) == ["10.9.9.9"]


def test_public_host_is_accepted():
    assert check_url("https://news.example.com/rss", resolver=lambda h, p: ["93.184.216.34"]) == ["93.184.216.34"]


def test_dns_answer_that_changes_after_the_check_is_caught_at_connect(server, settings):
    """Rebinding: the check saw a public address, the connection went to loopback -> refused."""
    server.routes["/feed.xml"] = lambda h: send(h, 200, FEED)
    url = f"http://localhost:{server.port}/feed.xml"
    with pytest.raises(UnsafeURLError, match="connected to non-public address"):
        fetch(url, settings.replace(fetch_allow_hosts=""), resolver=lambda host, port: ["93.184.216.34"])


def test_gzip_bomb_is_refused_by_its_decoded_size(server, fast):
    import gzip

    bomb = gzip.compress(b"\0" * 20_000_000)  # ~20 KB on the wire, 20 MB decoded
    server.routes["/bomb.xml"] = lambda h: send(h, 200, bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(ResponseTooLargeError, match="1,000,000"):
        fetch(server.url("/bomb.xml"), fast.replace(fetch_max_bytes=1_000_000))


def test_gzip_feed_is_decoded(server, settings):
    import gzip

    server.routes["/gz.xml"] = lambda h: send(h, 200, gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    assert fetch(server.url("/gz.xml"), settings).body == FEED
