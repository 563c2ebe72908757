"""News ingestion: poll due feeds, store new stories once, link them to suppliers, classify.

The walk for one feed: fetch (``scrapers.fetch``, outside any transaction) -> keep the raw bytes
under ``raw_dir/feeds/<sha256>`` -> parse and normalise (``scrapers.feeds``) -> de-duplicate
(same guid/link = same source; same title fingerprint within a week = same story, one more
source) -> store -> link to suppliers (``riskradar.linking``) -> classification hook
(``models.tagging.tag_articles`` when installed) -> linked suppliers ``needs_rescore``.
Each feed is handled in its own transaction, so one failing feed never stops the others.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from riskradar.db import Database
from riskradar.domain.base import utcnow
from riskradar.domain.news import Article, ArticleSource, ArticleSupplierLink, Feed, FeedFetch
from riskradar.domain.suppliers import Supplier
from riskradar.linking import SupplierMatcher, get_matcher
from riskradar.services.feeds import due_feed_ids, record_failure, record_success
from riskradar.settings import Settings
from scrapers.feeds import FeedEntry, parse_feed
from scrapers.fetch import FetchError, fetch

log = logging.getLogger(__name__)

FETCH_WORKERS = 4  # concurrent HTTP fetches per polling pass
MERGE_WINDOW = timedelta(days=7)  # same title further apart is a different story ("Factory fire")
MAX_PROBLEMS_KEPT = 200
_CHUNK = 500


def effective_allow_hosts(settings: Settings) -> list[str]:
    """The SSRF allow-list for feed fetches.

    In demo mode (and only then) the app's own host from ``settings.base_url`` is added, because
    the demo feeds are served by the app itself on 127.0.0.1.
    """
    hosts = list(settings.allow_hosts)
    if settings.demo_mode:
        host = urlsplit(settings.base_url).hostname
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def store_raw(settings: Settings, body: bytes) -> tuple[str, Path]:
    """Keep the fetched bytes under ``raw_dir/feeds/<sha256>`` (written once, atomically)."""
    digest = hashlib.sha256(body).hexdigest()
    folder = settings.raw_dir / "feeds"
    path = folder / digest
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.replace(tmp, path)
    return digest, path


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _link_rows(matcher: SupplierMatcher, rows: list[dict[str, Any]], ids: list[int]) -> list[dict[str, Any]]:
    """Supplier links (title first, then summary) for new articles, one per (article, supplier)."""
    links: list[dict[str, Any]] = []
    for row, article_id in zip(rows, ids):
        found: set[int] = set()
        for field_name, text, weight in (("title", row["title"], 1.0), ("summary", row["summary"], 0.8)):
            if not text:
                continue
            for match in matcher.find(text):
                if match.supplier_id in found:
                    continue
                found.add(match.supplier_id)
                links.append({"article_id": article_id, "supplier_id": match.supplier_id,
                              "matched_text": match.matched_text[:255], "field": field_name,
                              "span_start": match.start, "span_end": match.end,
                              "confidence": weight * (0.5 if match.ambiguous else 1.0)})
    return links


def _classify(session: Session, settings: Settings, article_ids: list[int]) -> dict[str, Any]:
    """Run the red-line classifier hook when it is installed; never lose the articles over it.

    ``settings`` lets the classifier prefer a model promoted by retraining over the bundled one.
    """
    if not article_ids:
        return {"classified": 0}
    try:
        from models.tagging import tag_articles  # lazy: the classifier is optional at this layer
    except ImportError:
        return {"classified": 0, "classifier": "not installed"}
    try:
        with session.begin_nested():
            articles = list(session.scalars(select(Article).where(Article.id.in_(article_ids)).order_by(Article.id)))
            tagged = tag_articles(session, articles, classifier=None, settings=settings)
        return {"classified": len(articles), "tags": int(tagged or 0)}
    except Exception as exc:  # noqa: BLE001 - articles stay stored; classification can be re-run later
        log.exception("classification hook failed")
        return {"classified": 0, "classification_error": f"{type(exc).__name__}: {exc}"}


def ingest_feed_bytes(
    session: Session,
    settings: Settings,
    feed: Feed | None,
    body: bytes,
    *,
    fetched_at: datetime | None = None,
    content_type: str | None = None,
    http_status: int | None = None,
    matcher: SupplierMatcher | None = None,
    classify: bool = True,
    feed_url: str | None = None,
) -> dict[str, Any]:
    """Store the stories in one fetched feed document; returns counts and the FeedFetch id.

    Keeps the raw body, records a :class:`FeedFetch` (status ok / bozo / error with problems),
    adds new :class:`Article` rows (one per story), :class:`ArticleSource` rows (one per outlet copy),
    supplier links with the matched span, runs the classification hook and marks linked suppliers
    ``needs_rescore``. Idempotent: feeding the same bytes again adds nothing. Does not commit.
    ``feed`` may be None for a local file (then ``feed_url`` names it and no FeedFetch is kept).
    """
    fetched_at = fetched_at or utcnow()
    url = feed.url if feed is not None else (feed_url or "file:")
    digest, path = store_raw(settings, body)
    parsed = parse_feed(body, feed_url=url, fetched_at=fetched_at, content_type=content_type,
                        default_lang=feed.lang if feed is not None else None)
    status = "ok"
    error = None
    if parsed.bozo:
        status = "bozo" if parsed.entries else "error"
        if not parsed.entries:
            error = "not a readable feed: " + str(parsed.problems[0].get("error") if parsed.problems else "no entries")
    record = FeedFetch(feed_id=feed.id if feed is not None else None, started_at=fetched_at, status=status,
                       http_status=http_status, size_bytes=len(body), sha256=digest, stored_path=str(path),
                       entries_seen=parsed.entries_seen, entries_rejected=parsed.rejected, error=error,
                       problems=parsed.problems[:MAX_PROBLEMS_KEPT])
    if feed is not None:
        session.add(record)

    entries = parsed.entries
    # 1. Copies already stored (same guid/link): duplicates, nothing to do.
    known: set[str] = set()
    for chunk in _chunks([e.entry_key for e in entries]):
        known.update(session.scalars(select(ArticleSource.entry_key).where(ArticleSource.entry_key.in_(chunk))))
    fresh = [e for e in entries if e.entry_key not in known]
    duplicates = len(entries) - len(fresh)

    # 2. Syndicated copies: same title fingerprint as a story stored within the merge window,
    #    or as an earlier entry of this document.
    existing: dict[str, list[Article]] = defaultdict(list)
    for chunk in _chunks(sorted({e.title_key for e in fresh})):
        for article in session.scalars(select(Article).where(Article.title_key.in_(chunk))):
            existing[article.title_key].append(article)
    pending: dict[str, list[dict[str, Any]]] = defaultdict(list)  # new stories of this document

    def near(published: datetime | None, entry: FeedEntry) -> bool:
        return published is None or abs(published - entry.published_at) <= MERGE_WINDOW

    new_rows: list[dict[str, Any]] = []
    merged = 0
    placed: list[tuple[FeedEntry, Article | dict[str, Any]]] = []
    for entry in fresh:
        story: Article | dict[str, Any] | None = next(
            (a for a in existing[entry.title_key] if near(a.published_at or a.fetched_at, entry)), None)
        if story is None:
            story = next((r for r in pending[entry.title_key] if near(r["published_at"], entry)), None)
        if story is None:
            row = {"title": entry.title, "summary": entry.summary, "url": entry.url, "lang": entry.lang,
                   "published_at": entry.published_at, "fetched_at": fetched_at, "title_key": entry.title_key,
                   "source_count": 1, "linked_at": fetched_at}
            new_rows.append(row)
            pending[entry.title_key].append(row)
            story = row
        else:
            merged += 1
            if isinstance(story, dict):
                story["source_count"] += 1
            else:
                story.source_count = (story.source_count or 0) + 1
        placed.append((entry, story))

    # 3. Store: bulk inserts (one statement per table), ids back in parameter order.
    new_ids: list[int] = []
    if new_rows:
        new_ids = list(session.scalars(insert(Article).returning(Article.id, sort_by_parameter_order=True), new_rows))
        for row, article_id in zip(new_rows, new_ids):
            row["id"] = article_id
    feed_id = feed.id if feed is not None else None
    source_rows = [{"article_id": story["id"] if isinstance(story, dict) else story.id, "feed_id": feed_id,
                    "entry_key": entry.entry_key, "guid": entry.guid, "url": entry.url,
                    "title": entry.title[:2000], "seen_at": fetched_at}
                   for entry, story in placed]
    if source_rows:
        session.execute(insert(ArticleSource), source_rows)

    # 4. Entity linking for new stories; linked suppliers need re-scoring; classifier hook.
    matcher = matcher or get_matcher(session)
    link_rows = _link_rows(matcher, new_rows, new_ids)
    if link_rows:
        session.execute(insert(ArticleSupplierLink), link_rows)
    supplier_ids = {link["supplier_id"] for link in link_rows}
    for chunk in _chunks(sorted(supplier_ids)):
        session.execute(update(Supplier).where(Supplier.id.in_(chunk)).values(needs_rescore=True))
    classification = _classify(session, settings, new_ids) if classify else {"classified": 0}

    record.articles_new = len(new_ids)
    record.articles_duplicate = duplicates + merged
    record.finished_at = utcnow()
    session.flush()
    return {
        "fetch_id": record.id if feed is not None else None,
        "status": status,
        "entries_seen": parsed.entries_seen,
        "articles_new": len(new_ids),
        "articles_duplicate": duplicates,
        "articles_merged": merged,
        "entries_rejected": parsed.rejected,
        "links": len(link_rows),
        "articles_linked": len({link["article_id"] for link in link_rows}),
        "suppliers_linked": len(supplier_ids),
        "problems": len(parsed.problems),
        "error": error,
        "article_ids": new_ids,
        **classification,
    }


def poll_feed(db: Database, settings: Settings, feed_id: int, *, now: datetime | None = None,
              matcher: SupplierMatcher | None = None, store_lock: Any = None) -> dict[str, Any]:
    """Fetch one feed and ingest it, recording success or failure on the feed.

    The HTTP fetch runs outside any database transaction; storing runs in one transaction that is
    rolled back as a whole if anything fails, after which the failure is recorded on its own.
    ``store_lock`` (a lock shared by concurrent pollers) serialises the storing transactions.
    """
    now = now or utcnow()
    store_lock = store_lock or nullcontext()
    with db.scope() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return {"feed_id": feed_id, "status": "missing"}
        url, etag, last_modified = feed.url, feed.etag, feed.last_modified
    outcome: dict[str, Any] = {"feed_id": feed_id, "url": url}
    try:
        result = fetch(url, settings, etag=etag, last_modified=last_modified,
                       allow_hosts=effective_allow_hosts(settings))
        with store_lock, db.scope() as session:
            feed = session.get(Feed, feed_id)
            if feed is None:
                return {"feed_id": feed_id, "status": "missing"}
            if result.not_modified:
                session.add(FeedFetch(feed_id=feed_id, started_at=now, finished_at=utcnow(), status="not_modified",
                                      http_status=304))
                record_success(feed, now, etag=result.etag, last_modified=result.last_modified)
                outcome.update(status="not_modified", articles_new=0, articles_duplicate=0)
                return outcome
            counts = ingest_feed_bytes(session, settings, feed, result.body, content_type=result.content_type,
                                       http_status=result.status, matcher=matcher)
            counts.pop("article_ids", None)
            if counts["status"] == "error":
                record_failure(feed, counts["error"] or "unreadable feed", now)
            else:
                record_success(feed, now, etag=result.etag, last_modified=result.last_modified)
            outcome.update(counts)
            return outcome
    except Exception as exc:  # noqa: BLE001 - one feed's failure is recorded, never propagated
        message = str(exc) if isinstance(exc, FetchError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, FetchError):
            log.exception("ingesting feed %s failed", url)
        with store_lock, db.scope() as session:
            feed = session.get(Feed, feed_id)
            if feed is not None:
                record_failure(feed, message, now)
                session.add(FeedFetch(feed_id=feed_id, started_at=now, finished_at=utcnow(), status="error",
                                      error=message[:4000]))
        outcome.update(status="error", error=message)
        return outcome


def poll_due_feeds(db: Database, settings: Settings, *, now: datetime | None = None,
                   limit: int | None = None, workers: int = FETCH_WORKERS) -> dict[str, Any]:
    """Poll every enabled feed that is due; returns totals and one result per feed.

    Fetches run concurrently (``workers`` threads) so a slow or dead feed does not hold up the
    others; storing is serialised (one short transaction per feed, never a shared one).
    """
    now = now or utcnow()
    with db.scope() as session:
        ids = due_feed_ids(session, now, limit=limit)
        matcher = get_matcher(session) if ids else None
    totals: dict[str, Any] = {"feeds_polled": 0, "feeds_failed": 0, "feeds_not_modified": 0, "articles_new": 0,
                              "articles_duplicate": 0, "articles_merged": 0, "articles_linked": 0,
                              "entries_rejected": 0, "errors": [], "feeds": []}
    lock = threading.Lock()
    if len(ids) > 1 and workers > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(ids)), thread_name_prefix="feed-poll") as pool:
            outcomes = list(pool.map(lambda fid: poll_feed(db, settings, fid, now=now, matcher=matcher,
                                                           store_lock=lock), ids))
    else:
        outcomes = [poll_feed(db, settings, fid, now=now, matcher=matcher) for fid in ids]
    for feed_id, outcome in zip(ids, outcomes):
        totals["feeds_polled"] += 1
        if outcome.get("status") == "error":
            totals["feeds_failed"] += 1
            totals["errors"].append({"feed_id": feed_id, "url": outcome.get("url"), "error": outcome.get("error")})
        elif outcome.get("status") == "not_modified":
            totals["feeds_not_modified"] += 1
        for key in ("articles_new", "articles_duplicate", "articles_merged", "articles_linked", "entries_rejected"):
            totals[key] += int(outcome.get(key) or 0)
        totals["feeds"].append(outcome)
    return totals


def run_once(db: Database, settings: Settings, *, now: datetime | None = None) -> dict[str, Any]:
    """One full pass: all due feeds, the inbox, re-scoring, the alert cycle.

    Steps whose module is not installed are reported as skipped; a failing step is reported in
    ``errors`` and does not stop the following steps.
    """
    summary: dict[str, Any] = {"errors": []}
    feeds = poll_due_feeds(db, settings, now=now)
    summary["feeds"] = {k: v for k, v in feeds.items() if k != "feeds"}
    summary["feeds"]["results"] = feeds["feeds"]
    summary["errors"].extend(f"feed {e['url']}: {e['error']}" for e in feeds["errors"])

    def step(name: str, call) -> None:  # type: ignore[no-untyped-def]
        try:
            summary[name] = call()
        except ImportError as exc:
            summary[name] = {"skipped": f"not installed ({exc})"}
        except Exception as exc:  # noqa: BLE001 - report and carry on with the next step
            log.exception("ingest step %s failed", name)
            summary[name] = {"error": f"{type(exc).__name__}: {exc}"}
            summary["errors"].append(f"{name}: {type(exc).__name__}: {exc}")

    def inbox() -> Any:
        from scrapers.inbox import process_inbox

        return process_inbox(db, settings)

    def rescore() -> Any:
        from riskradar.scoring.service import score_suppliers

        with db.scope() as session:
            run = score_suppliers(session, settings)
            return _plain(run)

    def alerts() -> Any:
        from riskradar.alerts.service import run_alert_cycle

        return run_alert_cycle(db, settings)

    step("inbox", inbox)
    step("scoring", rescore)
    step("alerts", alerts)
    inbox_result = summary.get("inbox")
    summary["totals"] = {
        "feeds_polled": feeds["feeds_polled"],
        "feeds_failed": feeds["feeds_failed"],
        "articles_new": feeds["articles_new"],
        "articles_duplicate": feeds["articles_duplicate"] + feeds["articles_merged"],
        "articles_linked": feeds["articles_linked"],
        "entries_rejected": feeds["entries_rejected"],
        "files_imported": _files_imported(inbox_result),
        "errors": len(summary["errors"]),
    }
    return summary


def _files_imported(result: Any) -> int:
    if not isinstance(result, dict):
        return 0
    for key in ("imported", "files_imported", "processed"):
        value = result.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, list):
            return len(value)
    return 0


def _plain(value: Any) -> Any:
    """A scoring run (ORM object or dict) as plain data for JSON."""
    if value is None or isinstance(value, (dict, list, str, int, float, bool)):
        return value
    table = getattr(value, "__table__", None)
    if table is not None:
        return {c.name: getattr(value, c.key, None) for c in table.columns}
    return str(value)
