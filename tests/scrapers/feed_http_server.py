"""A real HTTP server on 127.0.0.1 for feed tests: routes are plain functions per path."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

Route = Callable[[BaseHTTPRequestHandler], None]


class FeedServer:
    """Serve ``routes[path](handler)`` on 127.0.0.1; ``requests`` logs (path, headers) per request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                path = self.path.split("?", 1)[0]
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(path)
                if route is None:
                    send(self, 404, b"not found", "text/plain")
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p.split("?", 1)[0] == path)

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "application/rss+xml",
         headers: dict[str, str] | None = None) -> None:
    """Write a complete response."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


def rss(items: list[tuple[str, str]], *, title: str = "Test feed", lang: str | None = None) -> bytes:
    """A small RSS 2.0 document from (title, link) pairs."""
    from xml.sax.saxutils import escape

    parts = [f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
             f"<pubDate>Mon, 06 May 2024 08:00:00 GMT</pubDate><description>{escape(t)} — details.</description></item>"
             for t, link in items]
    language = f"<language>{lang}</language>" if lang else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"{language}{''.join(parts)}</channel></rss>").encode("utf-8")
