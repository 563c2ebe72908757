"""Builders for alert tests: real rows (suppliers, articles, tags, links) and a real HTTP receiver."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from sqlalchemy.orm import Session

from riskradar.domain import Article, ArticleSupplierLink, ArticleTag, Supplier, User

_counter = itertools.count(1)


def make_supplier(session: Session, *, name_zh: str = "深圳华强电子有限公司", name_en: str = "Huaqiang Electronics Co., Ltd.",
                  country: str = "CN", region: str | None = "Guangdong", tier: str | None = "medium") -> Supplier:
    n = next(_counter)
    sup = Supplier(external_ref=f"S{n:05d}", name_zh=name_zh, name_en=name_en, country=country, region=region,
                   risk_tier=tier, needs_rescore=False)
    session.add(sup)
    session.flush()
    return sup


def make_article(session: Session, supplier: Supplier | None, *, title: str | None = None, label: str = "fire",
                 probability: float = 0.93, decided: bool = True, source_count: int = 1,
                 url: str | None = None, summary: str | None = None) -> Article:
    n = next(_counter)
    title = title or f"Fire breaks out at {supplier.name_en if supplier else 'a'} factory (report {n})"
    art = Article(title=title, summary=summary or "Workers were evacuated after a fire in the dormitory.",
                  url=url or f"https://news.example.com/{n}", lang="en", title_key=f"k{n}",
                  source_count=source_count)
    session.add(art)
    session.flush()
    if supplier is not None:
        session.add(ArticleSupplierLink(article_id=art.id, supplier_id=supplier.id,
                                        matched_text=supplier.name_en or "", confidence=1.0))
    session.add(ArticleTag(article_id=art.id, label=label, probability=probability, decided=decided,
                           evidence=[{"text": "fire broke out", "start": 0, "end": 14, "weight": 1.2}],
                           model_version="test"))
    session.flush()
    return art


def make_user(session: Session, username: str = "csr_lead", role: str = "csr_lead") -> User:
    user = User(username=f"{username}{next(_counter)}", password_hash="x", role=role)
    session.add(user)
    session.flush()
    return user


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1. ``behaviour(request_number) -> status`` decides answers;
    returning ``"block"`` holds the request until :attr:`release` is set (the answer is then 503)."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    behaviour: Callable[[int], Any] = lambda n: 200
    answer_body: bytes = b'{"errcode":0,"errmsg":"ok","code":0,"msg":"success"}'
    release: threading.Event = field(default_factory=threading.Event)
    blocked: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    count: int = 0

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def accepted(self) -> list[Received]:
        """Requests answered 2xx (the receiver processed them)."""
        return [r for r in self.requests if 200 <= r.status < 300]


def start_receiver() -> Receiver:
    """Start a receiver on a free port of 127.0.0.1 (stop it with :func:`stop_receiver`)."""
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # answer in one segment (no 40 ms delayed-ACK stalls)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:  # noqa: N802
            rec = holder["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with rec.lock:
                rec.count += 1
                n = rec.count
            status = rec.behaviour(n)
            if status == "block":
                rec.blocked.set()
                rec.release.wait(30)
                status = 503
                with rec.lock:
                    rec.requests.append(Received(self.path, dict(self.headers), body, -1))  # never answered in time
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass
                return
            with rec.lock:
                rec.requests.append(Received(self.path, dict(self.headers), body, status))
            payload = rec.answer_body if status == 200 else b"unavailable"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec = Receiver(server=server)
    holder["r"] = rec
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return rec


def stop_receiver(rec: Receiver) -> None:
    rec.release.set()
    rec.server.shutdown()
    rec.server.server_close()
