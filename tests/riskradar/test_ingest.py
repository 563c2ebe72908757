"""riskradar.ingest end to end: feeds served over real HTTP on 127.0.0.1, a real SQLite database."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from riskradar.cli import main
from riskradar.domain.base import utcnow
from riskradar.domain.news import Article, ArticleSource, ArticleSupplierLink, Feed, FeedFetch
from riskradar.domain.suppliers import Supplier
from riskradar.ingest import ingest_feed_bytes, poll_due_feeds, run_once
from riskradar.linking import clear_matcher_cache
from riskradar.services.feeds import add_feed, list_feeds, sync_supplier_search_feeds
from tests.scrapers.feed_http_server import FeedServer, rss, send

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
STORY = "Fire breaks out at Hongda Footwear factory in Dongguan"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh_matcher() -> Iterator[None]:
    clear_matcher_cache()  # each test has its own database file at possibly the same path
    yield
    clear_matcher_cache()


@pytest.fixture
def quick(settings):  # type: ignore[no-untyped-def]
    return settings.replace(fetch_timeout_seconds=2.0, fetch_retries=0)


def add(db, url, **kw):  # type: ignore[no-untyped-def]
    with db.scope() as s:
        return add_feed(s, url, **kw).id


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_feed_is_polled_and_articles_stored(server, db, quick):
    server.routes["/a.xml"] = lambda h: send(h, 200, rss([("Factory audit season begins in Guangdong", "http://a.test/1"),
                                                          ("Port volumes climb for the third month", "http://a.test/2")]))
    fid = add(db, server.url("/a.xml"))
    result = poll_due_feeds(db, quick)
    assert result["feeds_polled"] == 1 and result["articles_new"] == 2 and result["errors"] == []
    with db.scope() as s:
        feed = s.get(Feed, fid)
        assert feed.last_success_at is not None and feed.consecutive_failures == 0
        assert feed.next_poll_at > utcnow()
        fetch = s.scalars(select(FeedFetch)).one()
        assert fetch.status == "ok" and fetch.articles_new == 2 and Path(fetch.stored_path).read_bytes().startswith(b"<?xml")
        assert Path(fetch.stored_path).name == fetch.sha256
        titles = sorted(s.scalars(select(Article.title)))
    assert titles == ["Factory audit season begins in Guangdong", "Port volumes climb for the third month"]


def test_syndicated_story_is_one_article_with_one_source_per_outlet(server, db, quick):
    outlets = ["Reuters", "AP", "Xinhua", "BBC"]
    for i, outlet in enumerate(outlets):
        server.routes[f"/{i}.xml"] = (lambda body: lambda h: send(h, 200, body))(
            rss([(f"{STORY} - {outlet}", f"http://{outlet.lower()}.test/story"),
                 (f"Unrelated story number {i} from {outlet}", f"http://{outlet.lower()}.test/other")]))
        add(db, server.url(f"/{i}.xml"))
    result = poll_due_feeds(db, quick)
    assert result["articles_new"] == 1 + len(outlets) and result["articles_merged"] == len(outlets) - 1
    with db.scope() as s:
        story = s.scalars(select(Article).where(Article.title.like("Fire breaks out%"))).one()
        assert story.source_count == len(outlets)
        assert s.scalar(select(func.count()).select_from(ArticleSource).where(ArticleSource.article_id == story.id)) == 4


def test_rerunning_is_idempotent(server, db, quick):
    server.routes["/a.xml"] = lambda h: send(h, 200, rss([(STORY, "http://a.test/1"), ("Second item for the test", "http://a.test/2")]))
    add(db, server.url("/a.xml"))
    poll_due_feeds(db, quick)
    again = poll_due_feeds(db, quick, now=utcnow() + timedelta(hours=2))
    assert again["feeds_polled"] == 1 and again["articles_new"] == 0 and again["articles_duplicate"] == 2
    assert count(db, Article) == 2 and count(db, ArticleSource) == 2
    with db.scope() as s:
        assert s.scalars(select(Article.source_count)).all() == [1, 1]


def test_not_modified_feed_records_success_without_parsing(server, db, quick):
    def route(h):
        if h.headers.get("If-None-Match") == '"v7"':
            h.send_response(304)
            h.send_header("Content-Length", "0")
            h.end_headers()
        else:
            send(h, 200, rss([(STORY, "http://a.test/1")]), headers={"ETag": '"v7"'})

    server.routes["/a.xml"] = route
    fid = add(db, server.url("/a.xml"))
    poll_due_feeds(db, quick)
    second = poll_due_feeds(db, quick, now=utcnow() + timedelta(hours=2))
    assert second["feeds_not_modified"] == 1
    with db.scope() as s:
        assert s.get(Feed, fid).etag == '"v7"'
        assert [f.status for f in s.scalars(select(FeedFetch).order_by(FeedFetch.id))] == ["ok", "not_modified"]


def test_failing_feed_backs_off_and_others_still_succeed(server, db, quick):
    server.routes["/bad.xml"] = lambda h: send(h, 500, b"boom", "text/plain")
    server.routes["/good.xml"] = lambda h: send(h, 200, rss([(STORY, "http://g.test/1")]))
    bad = add(db, server.url("/bad.xml"), poll_interval_minutes=10)
    good = add(db, server.url("/good.xml"), poll_interval_minutes=10)
    now = utcnow()
    result = poll_due_feeds(db, quick, now=now)
    assert result["feeds_polled"] == 2 and result["feeds_failed"] == 1 and result["articles_new"] == 1
    with db.scope() as s:
        failed = s.get(Feed, bad)
        assert failed.consecutive_failures == 1 and "HTTP 500" in failed.last_error
        assert failed.next_poll_at == now + timedelta(minutes=20)  # interval x 2
        assert s.get(Feed, good).next_poll_at == now + timedelta(minutes=10)
    # Eleven minutes later only the good feed is due; the failing one waits for its back-off.
    later = poll_due_feeds(db, quick, now=now + timedelta(minutes=11))
    assert [f["feed_id"] for f in later["feeds"]] == [good]
    third = poll_due_feeds(db, quick, now=now + timedelta(minutes=21))
    assert bad in [f["feed_id"] for f in third["feeds"]]
    with db.scope() as s:
        assert s.get(Feed, bad).consecutive_failures == 2
        assert s.get(Feed, bad).next_poll_at == now + timedelta(minutes=21 + 40)


def test_feed_that_times_out_is_recorded_and_the_others_are_stored(server, db, quick):
    import time

    def slow(h):
        h.send_response(200)
        h.send_header("Content-Length", "5000")
        h.end_headers()
        h.wfile.write(b"<rss>")
        h.wfile.flush()
        time.sleep(3)

    server.routes["/slow.xml"] = slow
    server.routes["/good.xml"] = lambda h: send(h, 200, rss([(STORY, "http://g.test/1")]))
    slow_id = add(db, server.url("/slow.xml"))
    add(db, server.url("/good.xml"))
    result = poll_due_feeds(db, quick.replace(fetch_timeout_seconds=0.5))
    assert result["articles_new"] == 1 and result["feeds_failed"] == 1
    assert result["errors"][0]["feed_id"] == slow_id and "timed out" in result["errors"][0]["error"]


def test_feed_pointing_at_a_private_address_is_refused_and_recorded(db, quick):
    fid = add(db, "http://10.0.0.1/feed.xml")
    result = poll_due_feeds(db, quick)
    assert result["feeds_failed"] == 1 and "non-public address" in result["errors"][0]["error"]
    with db.scope() as s:
        assert s.get(Feed, fid).consecutive_failures == 1
        assert s.scalars(select(FeedFetch.status)).one() == "error"


def test_articles_are_linked_to_suppliers_with_evidence(server, db, quick):
    with db.scope() as s:
        s.add(Supplier(external_ref="S1", name_zh="东莞宏达鞋业有限公司", name_en="Hongda Footwear Co., Ltd.",
                       short_name="宏达鞋业", country="CN", needs_rescore=False))
        s.add(Supplier(external_ref="S2", name_zh="苏州明辉纺织有限公司", name_en="Minghui Textile", country="CN",
                       needs_rescore=False))
    server.routes["/a.xml"] = lambda h: send(h, 200, rss([(STORY, "http://a.test/1"), ("宏达鞋业工人讨薪", "http://a.test/2")]))
    add(db, server.url("/a.xml"))
    result = poll_due_feeds(db, quick)
    assert result["articles_linked"] == 2
    with db.scope() as s:
        links = s.execute(select(ArticleSupplierLink, Article).join(Article)).all()
        assert {(link.matched_text, link.field) for link, _ in links} == {("Hongda Footwear", "title"), ("宏达鞋业", "title")}
        for link, article in links:
            assert article.title[link.span_start:link.span_end] == link.matched_text
        flags = dict(s.execute(select(Supplier.external_ref, Supplier.needs_rescore)).all())
    assert flags == {"S1": True, "S2": False}


def test_bozo_document_keeps_good_entries_and_records_problems(session, settings):
    feed = add_feed(session, "http://feeds.test/bozo.xml")
    counts = ingest_feed_bytes(session, settings, feed, (FIXTURES / "bozo.xml").read_bytes())
    session.commit()
    assert counts["status"] == "bozo" and counts["articles_new"] == 2 and counts["entries_rejected"] == 1
    fetch = session.scalars(select(FeedFetch)).one()
    assert fetch.entries_seen == 3 and fetch.entries_rejected == 1
    assert any(p.get("rejected") for p in fetch.problems) and any(p["where"] == "feed" for p in fetch.problems)


def test_same_story_in_chinese_traditional_and_simplified_feeds_merges(session, settings):
    gb = add_feed(session, "http://feeds.test/gb.xml")
    gbk = add_feed(session, "http://feeds.test/gbk.xml")
    ingest_feed_bytes(session, settings, gb, (FIXTURES / "zh_gb2312.xml").read_bytes())
    counts = ingest_feed_bytes(session, settings, gbk, (FIXTURES / "zh_gbk.xml").read_bytes())
    session.commit()
    assert counts["articles_new"] == 0 and counts["articles_merged"] == 2
    assert session.scalar(select(func.count()).select_from(Article)) == 2
    assert session.scalar(select(func.sum(Article.source_count))) == 4


def test_run_once_reports_every_step(server, db, quick):
    server.routes["/a.xml"] = lambda h: send(h, 200, rss([(STORY, "http://a.test/1")]))
    add(db, server.url("/a.xml"))
    summary = run_once(db, quick)
    assert summary["totals"]["feeds_polled"] == 1 and summary["totals"]["articles_new"] == 1
    for step in ("inbox", "scoring", "alerts"):
        assert step in summary


def test_supplier_search_feeds_follow_the_template(session, settings):
    session.add_all([
        Supplier(external_ref="S1", name_zh="东莞宏达鞋业有限公司", name_en="Hongda Footwear", country="CN", status="active"),
        Supplier(external_ref="S2", name_zh="苏州明辉纺织有限公司", country="CN", status="exited"),
    ])
    session.flush()
    assert "skipped" in sync_supplier_search_feeds(session, settings)  # no template configured
    templ = settings.replace(supplier_search_feed_template="https://news.example.com/rss?q={query}&hl=zh")
    assert sync_supplier_search_feeds(session, templ)["created"] == 2
    urls = sorted(f.url for f in list_feeds(session, kind="supplier_search"))
    assert urls == ["https://news.example.com/rss?q=%E4%B8%9C%E8%8E%9E%E5%AE%8F%E8%BE%BE%E9%9E%8B%E4%B8%9A%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&hl=zh",
                    "https://news.example.com/rss?q=Hongda+Footwear&hl=zh"]
    again = sync_supplier_search_feeds(session, templ)
    assert again["created"] == 0 and again["kept"] == 2
    session.scalars(select(Supplier).where(Supplier.external_ref == "S1")).one().status = "exited"
    session.flush()
    assert sync_supplier_search_feeds(session, templ)["disabled"] == 2


# --- CLI ------------------------------------------------------------------------------------------


def cli_env(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
            "RISKRADAR_SECRET_KEY": "x", "RISKRADAR_FETCH_ALLOW_HOSTS": "127.0.0.1",
            "RISKRADAR_FETCH_RETRIES": "0", "RISKRADAR_FETCH_TIMEOUT_SECONDS": "2"}


def test_cli_feeds_add_list_remove(settings):
    runner = CliRunner()
    env = cli_env(settings)
    out = runner.invoke(main, ["feeds", "add", "https://news.example.com/rss", "--name", "Example", "--lang", "en",
                               "--credibility", "0.9", "--interval", "15"], env=env)
    assert out.exit_code == 0, out.output
    listed = json.loads(runner.invoke(main, ["feeds", "list", "--json"], env=env).output)
    assert listed["count"] == 1
    assert {k: listed["feeds"][0][k] for k in ("name", "lang", "credibility", "poll_interval_minutes")} == \
        {"name": "Example", "lang": "en", "credibility": 0.9, "poll_interval_minutes": 15}
    dup = runner.invoke(main, ["feeds", "add", "https://news.example.com/rss"], env=env)
    assert dup.exit_code != 0 and "already registered" in dup.output
    bad = runner.invoke(main, ["feeds", "add", "file:///etc/passwd"], env=env)
    assert bad.exit_code != 0 and "http" in bad.output
    assert runner.invoke(main, ["feeds", "remove", "https://news.example.com/rss"], env=env).exit_code == 0
    gone = runner.invoke(main, ["feeds", "remove", "999"], env=env)
    assert gone.exit_code != 0 and "no such feed" in gone.output


def test_cli_ingest_once_json(server, settings):
    server.routes["/a.xml"] = lambda h: send(h, 200, rss([(STORY, "http://a.test/1"), ("Second item for the CLI", "http://a.test/2")]))
    runner = CliRunner()
    env = cli_env(settings)
    assert runner.invoke(main, ["feeds", "add", server.url("/a.xml")], env=env).exit_code == 0
    out = runner.invoke(main, ["ingest", "--once", "--json"], env=env)
    assert out.exit_code == 0, out.output
    totals = json.loads(out.output)["totals"]
    assert totals["feeds_polled"] == 1 and totals["articles_new"] == 2 and totals["feeds_failed"] == 0
    again = json.loads(runner.invoke(main, ["ingest", "--once", "--json"], env=env).output)
    assert again["totals"]["feeds_polled"] == 0  # not due yet


def test_cli_feeds_sync_search(settings):
    with_template = {**cli_env(settings), "RISKRADAR_SUPPLIER_SEARCH_FEED_TEMPLATE": "https://news.example.com/rss?q={query}"}
    from riskradar.db import Database

    database = Database(settings)
    with database.scope() as s:
        s.add(Supplier(external_ref="S1", name_zh="东莞宏达鞋业有限公司", name_en="Hongda Footwear", country="CN"))
    database.dispose()
    runner = CliRunner()
    missing = runner.invoke(main, ["feeds", "sync-search"], env=cli_env(settings))
    assert missing.exit_code != 0 and "{query}" in missing.output
    out = runner.invoke(main, ["feeds", "sync-search", "--json"], env=with_template)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["created"] == 2


def test_ingest_and_reingest_on_sqlite_and_postgresql(any_db):
    settings = any_db.settings
    with any_db.scope() as s:
        s.add(Supplier(external_ref="S1", name_zh="东莞宏达电子有限公司", name_en="Hongda Electronics", country="CN"))
        feed = add_feed(s, "http://feeds.test/gb.xml")
        first = ingest_feed_bytes(s, settings, feed, (FIXTURES / "zh_gb2312.xml").read_bytes())
    with any_db.scope() as s:
        again = ingest_feed_bytes(s, settings, s.get(Feed, feed.id), (FIXTURES / "zh_gb2312.xml").read_bytes())
        links = s.scalars(select(ArticleSupplierLink.matched_text)).all()
    assert (first["articles_new"], first["links"]) == (2, 1)
    assert (again["articles_new"], again["articles_duplicate"]) == (0, 2)
    assert links == ["东莞宏达电子"]
