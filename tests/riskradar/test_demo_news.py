"""Demo news: feeds served over HTTP by the demo blueprint, fetched through the real ingest path."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from riskradar.demo.news import DEMO_FEEDS, build_items, pick_demo_suppliers, register_demo_feeds
from riskradar.domain.base import utcnow
from riskradar.domain.news import Article, ArticleSupplierLink, Feed
from riskradar.domain.suppliers import Supplier
from riskradar.ingest import effective_allow_hosts, poll_due_feeds
from riskradar.linking import clear_matcher_cache
from riskradar.web.demo_feeds import demo_feeds_bp


@pytest.fixture
def demo_app(settings) -> Iterator[tuple]:  # type: ignore[no-untyped-def]
    """The demo blueprint on a real HTTP server; settings in demo mode with an EMPTY allow-list."""
    app = Flask(__name__)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    demo = settings.replace(demo_mode=True, fetch_allow_hosts="", base_url=f"http://127.0.0.1:{srv.server_port}",
                            demo_drip_minutes=10, fetch_retries=0, fetch_timeout_seconds=3.0)
    app.extensions["riskradar.settings"] = demo
    app.register_blueprint(demo_feeds_bp)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    clear_matcher_cache()
    yield app, demo
    srv.shutdown()
    clear_matcher_cache()


def add_suppliers(session) -> None:  # type: ignore[no-untyped-def]
    from riskradar.demo.suppliers import generate_suppliers

    for row in generate_suppliers(60, 7):
        session.add(Supplier(external_ref=row["external_ref"], name_zh=row["name_zh"] or None,
                             name_en=row["name_en"] or None, short_name=row["short_name"] or None,
                             aliases=row["aliases"], country=row["country"], status=row["status"],
                             annual_spend=row["annual_spend"] or None, needs_rescore=False))
    session.commit()


def test_picks_are_deterministic_and_linkable(session):
    add_suppliers(session)
    first = pick_demo_suppliers(session)
    assert first == pick_demo_suppliers(session) and len(first) == 6
    assert len({s.short_name for s in first}) == 6


def test_picks_fall_back_to_the_generator_without_suppliers(session):
    assert len(pick_demo_suppliers(session)) == 6


def test_items_drip_over_the_configured_period():
    items = build_items(pick_demo_suppliers(None), drip_minutes=30)
    offsets = sorted(i.reveal_seconds for i in items)
    assert offsets[0] == 0 and 0 < offsets[-1] <= 30 * 60
    assert sum(1 for o in offsets if o == 0) < len(items) // 2 + 5  # a backlog, then a drip
    assert {i.feed for i in items} == set(DEMO_FEEDS)


def test_demo_feeds_arrive_over_http_and_link_to_suppliers(demo_app, db):
    _app, demo = demo_app
    with db.scope() as s:
        add_suppliers(s)
        info = register_demo_feeds(s, demo, started_at=utcnow() - timedelta(minutes=3))
    assert len(info["feeds"]) == len(DEMO_FEEDS)
    first = poll_due_feeds(db, demo)
    assert first["feeds_failed"] == 0, first["errors"]
    assert first["articles_new"] > 0
    with db.scope() as s:
        early = s.scalar(select(func.count()).select_from(Article))
        urls = list(s.scalars(select(Feed.url)))
    assert all(u.startswith(demo.base_url + "/demo/feeds/") for u in urls)
    # Later the rest of the drip is visible: new stories arrive, syndicated copies merge, links appear.
    with db.scope() as s:
        register_demo_feeds(s, demo, started_at=utcnow() - timedelta(minutes=11))
    second = poll_due_feeds(db, demo, now=utcnow() + timedelta(minutes=2))
    assert second["articles_new"] > 0 and second["articles_merged"] > 0
    with db.scope() as s:
        assert s.scalar(select(func.count()).select_from(Article)) > early
        linked = {link.matched_text for link in s.scalars(select(ArticleSupplierLink))}
        fire = s.scalars(select(Article).where(Article.title.like("%起火%"))).one()
    assert linked and fire.source_count == 4


def test_self_fetch_is_only_allowed_in_demo_mode(demo_app, db):
    _app, demo = demo_app
    assert "127.0.0.1" in effective_allow_hosts(demo)
    normal = demo.replace(demo_mode=False)
    assert "127.0.0.1" not in effective_allow_hosts(normal)
    with db.scope() as s:
        register_demo_feeds(s, demo)
    result = poll_due_feeds(db, normal)
    assert result["feeds_failed"] == len(DEMO_FEEDS)
    assert "non-public address" in result["errors"][0]["error"]


def test_unknown_demo_feed_is_404(demo_app):
    app, _demo = demo_app
    assert app.test_client().get("/demo/feeds/nope.xml").status_code == 404


def _path(settings, name):
    from urllib.parse import urlsplit

    from riskradar.demo.news import demo_feed_url

    parts = urlsplit(demo_feed_url(settings, name))
    return f"{parts.path}?{parts.query}"


def test_demo_feed_without_its_key_is_404(demo_app, session):
    app, demo = demo_app
    register_demo_feeds(session, demo)
    assert app.test_client().get("/demo/feeds/huanan-industry.xml").status_code == 404
    assert app.test_client().get("/demo/feeds/huanan-industry.xml?key=wrong").status_code == 404


def test_drip_clock_starts_at_the_first_request(demo_app, session):
    import json as _json

    from riskradar.demo.news import manifest_path

    app, demo = demo_app
    register_demo_feeds(session, demo)
    path = manifest_path(demo)
    assert _json.loads(path.read_text())["started_at"] is None
    first = app.test_client().get(_path(demo, "huanan-industry"))
    assert first.status_code == 200 and first.mimetype == "application/rss+xml"
    started = _json.loads(path.read_text())["started_at"]
    assert started is not None
    app.test_client().get(_path(demo, "supply-chain-wire"))
    assert _json.loads(path.read_text())["started_at"] == started  # not restarted by later requests


def test_registering_again_under_another_base_url_moves_the_feeds(session, settings):
    first = register_demo_feeds(session, settings.replace(base_url="http://127.0.0.1:8080"))
    second = register_demo_feeds(session, settings.replace(base_url="http://127.0.0.1:9191"))
    assert first["feeds"] == second["feeds"]
    urls = session.scalars(select(Feed.url)).all()
    assert len(urls) == len(DEMO_FEEDS) and all(u.startswith("http://127.0.0.1:9191/demo/feeds/") for u in urls)
