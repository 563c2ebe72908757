"""Every file of feedparser's own test corpus (../shared/data/feeds, 896 files) goes through ingestion.

The corpus is read in place (never copied). All files are ingested once into one database by a
module-scoped fixture; the tests then check what was stored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from riskradar.db import Database
from riskradar.domain.news import Article, ArticleSource, Feed, FeedFetch
from riskradar.ingest import ingest_feed_bytes
from riskradar.linking import SupplierMatcher
from scrapers.feeds import parse_feed, to_plain_text
from tests.conftest import SHARED_DIR, make_settings

CORPUS = SHARED_DIR / "data" / "feeds"
# Markup or script that must never reach stored text.
DANGEROUS = re.compile(r"<\s*/?\s*(script|style|iframe|object|embed|svg|img|a|meta|link|form)\b|javascript:|"
                       r"\bon[a-z]+\s*=|expression\s*\(|document\.cookie|location\.href", re.IGNORECASE)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, _migrated_sqlite_template: Path) -> dict[str, Any]:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not present (reference material is optional)")
    import shutil

    data_dir = tmp_path_factory.mktemp("corpus")
    shutil.copy(_migrated_sqlite_template, data_dir / "riskradar.db")
    settings = make_settings(data_dir)
    db = Database(settings)
    matcher = SupplierMatcher.from_names([])
    failures: list[str] = []
    results: dict[str, dict[str, Any]] = {}
    files = corpus_files()
    with db.scope() as session:
        for path in files:
            rel = str(path.relative_to(CORPUS))
            feed = Feed(url=f"http://corpus.test/{rel}", name=rel[:255])
            session.add(feed)
            session.flush()
            try:
                with session.begin_nested():
                    results[rel] = ingest_feed_bytes(session, settings, feed, path.read_bytes(), matcher=matcher,
                                                     classify=False)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                failures.append(f"{rel}: {type(exc).__name__}: {exc}")
    yield {"db": db, "files": files, "failures": failures, "results": results, "settings": settings}
    db.dispose()


def test_corpus_is_complete(corpus):
    assert len(corpus["files"]) == 896


def test_every_file_is_ingested_without_an_unhandled_error(corpus):
    assert corpus["failures"] == []
    assert len(corpus["results"]) == len(corpus["files"])


def test_every_fetch_is_recorded_with_its_raw_body(corpus):
    with corpus["db"].scope() as s:
        fetches = s.scalars(select(FeedFetch)).all()
    assert len(fetches) == len(corpus["files"])
    assert all(Path(f.stored_path).is_file() for f in fetches)


def test_no_markup_or_script_survives_into_stored_text(corpus):
    with corpus["db"].scope() as s:
        texts = [(a.id, t) for a in s.scalars(select(Article)) for t in (a.title, a.summary) if t]
        texts += [(src.id, src.title) for src in s.scalars(select(ArticleSource)) if src.title]
    assert texts  # the corpus does produce articles
    offending = [(i, t[:120]) for i, t in texts if DANGEROUS.search(t)]
    assert offending == []


def test_sanitize_cases_yield_clean_text_in_every_field(corpus):
    """Also the feed-level fields (title, subtitle, info) the web layer may show."""
    import feedparser
    import io

    bad: list[str] = []
    for path in (CORPUS / "wellformed" / "sanitize").glob("*.xml"):
        parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
        values = [v for k, v in parsed.feed.items() if isinstance(v, str)]
        for entry in parsed.entries:
            values += [v for v in entry.values() if isinstance(v, str)]
            values += [c.get("value", "") for c in entry.get("content", [])]
        for value in values:
            if DANGEROUS.search(to_plain_text(value)):
                bad.append(f"{path.name}: {to_plain_text(value)[:80]!r}")
        for item in parse_feed(path.read_bytes(), feed_url="http://corpus.test/x").entries:
            if DANGEROUS.search(f"{item.title} {item.summary or ''}"):
                bad.append(path.name)
    assert bad == []


def test_script_inline_case_keeps_the_safe_text(corpus):
    result = corpus["results"]["wellformed/sanitize/entry_content_script_inline.xml"]
    assert result["articles_new"] + result["articles_merged"] == 1
    with corpus["db"].scope() as s:
        texts = [a.title for a in s.scalars(select(Article))]
    assert "safe description" in texts


def test_illformed_files_are_reported_not_dropped_silently(corpus):
    illformed = {k: v for k, v in corpus["results"].items() if k.startswith("illformed/")}
    assert illformed
    with corpus["db"].scope() as s:
        problems = {f.stored_path: f.problems for f in s.scalars(select(FeedFetch))}
    assert sum(1 for p in problems.values() if p) > len(illformed) // 2
