"""The feed registry: add, list, remove, enable feeds; poll scheduling with back-off on failure.

A feed that fails is not retried at its normal interval: each consecutive failure doubles the
wait (capped at :data:`MAX_BACKOFF`), so a dead feed costs little and never delays the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Sequence
from urllib.parse import quote_plus, urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from riskradar.domain.base import utcnow
from riskradar.domain.news import Feed
from riskradar.domain.suppliers import Supplier
from riskradar.errors import UserInputError
from riskradar.settings import Settings

MAX_BACKOFF = timedelta(hours=24)
MIN_INTERVAL_MINUTES = 1
SEARCH_KIND = "supplier_search"


class FeedError(UserInputError):
    """A feed registration request is invalid (message says what and why)."""


def validate_feed_url(url: str) -> str:
    """Return the trimmed URL or raise :class:`FeedError` (http/https with a host only).

    Address checks (SSRF) happen at fetch time, because DNS answers change.
    """
    url = (url or "").strip()
    if not url:
        raise FeedError("feed URL is empty")
    if len(url) > 2048:
        raise FeedError("feed URL is longer than 2048 characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise FeedError(f"malformed feed URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise FeedError(f"feed URL must start with http:// or https://, got {url!r}")
    if not parts.hostname:
        raise FeedError(f"feed URL has no host: {url!r}")
    if parts.username or parts.password:
        raise FeedError("feed URL must not contain credentials")
    return url


def add_feed(
    session: Session,
    url: str,
    *,
    name: str | None = None,
    lang: str | None = None,
    credibility: float = 0.7,
    poll_interval_minutes: int | None = None,
    settings: Settings | None = None,
    kind: str = "static",
    supplier_id: int | None = None,
    enabled: bool = True,
) -> Feed:
    """Register a feed (due for polling immediately). Raises :class:`FeedError` for a bad URL,
    credibility outside 0..1, a bad interval, or a URL that is already registered."""
    url = validate_feed_url(url)
    if not 0.0 <= float(credibility) <= 1.0:
        raise FeedError(f"credibility must be between 0 and 1, got {credibility}")
    interval = poll_interval_minutes
    if interval is None:
        interval = settings.default_feed_poll_minutes if settings else 30
    if int(interval) < MIN_INTERVAL_MINUTES:
        raise FeedError(f"poll interval must be at least {MIN_INTERVAL_MINUTES} minute(s), got {interval}")
    if lang is not None and not (lang.isalpha() and 2 <= len(lang) <= 8):
        raise FeedError(f"language must be a code like 'zh' or 'en', got {lang!r}")
    if session.scalar(select(Feed.id).where(Feed.url == url)) is not None:
        raise FeedError(f"feed already registered: {url}")
    feed = Feed(url=url, name=(name or urlsplit(url).hostname or url)[:255], lang=lang.lower() if lang else None,
                credibility=float(credibility), poll_interval_minutes=int(interval), enabled=enabled,
                kind=kind, supplier_id=supplier_id, next_poll_at=utcnow(), consecutive_failures=0)
    session.add(feed)
    session.flush()
    return feed


def list_feeds(session: Session, *, kind: str | None = None, enabled: bool | None = None) -> list[Feed]:
    """All registered feeds (optionally only one kind / enabled state), by id."""
    stmt = select(Feed).order_by(Feed.id)
    if kind is not None:
        stmt = stmt.where(Feed.kind == kind)
    if enabled is not None:
        stmt = stmt.where(Feed.enabled == enabled)
    return list(session.scalars(stmt))


def get_feed(session: Session, feed_id_or_url: int | str) -> Feed | None:
    """A feed by numeric id or exact URL."""
    ref = str(feed_id_or_url).strip()
    if ref.isdigit():
        return session.get(Feed, int(ref))
    return session.scalar(select(Feed).where(Feed.url == ref))


def remove_feed(session: Session, feed_id_or_url: int | str) -> bool:
    """Delete a feed (its articles stay; their sources lose the feed reference). False if unknown."""
    feed = get_feed(session, feed_id_or_url)
    if feed is None:
        return False
    session.delete(feed)
    session.flush()
    return True


def set_enabled(session: Session, feed_id_or_url: int | str, enabled: bool) -> Feed:
    """Enable or disable a feed; enabling makes it due now and forgets past failures."""
    feed = get_feed(session, feed_id_or_url)
    if feed is None:
        raise FeedError(f"no such feed: {feed_id_or_url}")
    feed.enabled = enabled
    if enabled:
        feed.consecutive_failures = 0
        feed.next_poll_at = utcnow()
    session.flush()
    return feed


def update_feed(session: Session, feed_id_or_url: int | str, *, name: str | None = None,
                lang: str | None = None, credibility: float | None = None,
                poll_interval_minutes: int | None = None) -> Feed:
    """Change a feed's name, language, credibility or interval (validated like :func:`add_feed`)."""
    feed = get_feed(session, feed_id_or_url)
    if feed is None:
        raise FeedError(f"no such feed: {feed_id_or_url}")
    if credibility is not None:
        if not 0.0 <= float(credibility) <= 1.0:
            raise FeedError(f"credibility must be between 0 and 1, got {credibility}")
        feed.credibility = float(credibility)
    if poll_interval_minutes is not None:
        if int(poll_interval_minutes) < MIN_INTERVAL_MINUTES:
            raise FeedError(f"poll interval must be at least {MIN_INTERVAL_MINUTES} minute(s)")
        feed.poll_interval_minutes = int(poll_interval_minutes)
    if name:
        feed.name = name[:255]
    if lang:
        feed.lang = lang.lower()
    session.flush()
    return feed


def due_feed_ids(session: Session, now: datetime | None = None, *, limit: int | None = None) -> list[int]:
    """Ids of enabled feeds whose ``next_poll_at`` has come (never-polled feeds first)."""
    now = now or utcnow()
    stmt = (select(Feed.id).where(Feed.enabled.is_(True))
            .where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
            .order_by(Feed.next_poll_at.is_not(None), Feed.next_poll_at, Feed.id))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def backoff_delay(feed: Feed) -> timedelta:
    """Wait after ``feed.consecutive_failures`` failures: interval × 2^failures, at most a day."""
    base = timedelta(minutes=max(MIN_INTERVAL_MINUTES, feed.poll_interval_minutes or 30))
    failures = max(0, feed.consecutive_failures or 0)
    return min(base * (2 ** min(failures, 16)), max(MAX_BACKOFF, base))


def record_success(feed: Feed, now: datetime | None = None, *, etag: str | None = None,
                   last_modified: str | None = None) -> None:
    """Mark a successful poll (including 304): failures reset, next poll after the interval."""
    now = now or utcnow()
    feed.last_polled_at = now
    feed.last_success_at = now
    feed.last_error = None
    feed.consecutive_failures = 0
    if etag is not None:
        feed.etag = etag[:512]
    if last_modified is not None:
        feed.last_modified = last_modified[:128]
    feed.next_poll_at = now + backoff_delay(feed)


def record_failure(feed: Feed, error: str, now: datetime | None = None) -> None:
    """Mark a failed poll: error kept, failures counted, next poll backed off exponentially."""
    now = now or utcnow()
    feed.last_polled_at = now
    feed.last_error = error[:4000]
    feed.consecutive_failures = (feed.consecutive_failures or 0) + 1
    feed.next_poll_at = now + backoff_delay(feed)


def feed_as_dict(feed: Feed) -> dict:
    """Plain data for JSON output and the API."""
    return {
        "id": feed.id, "url": feed.url, "name": feed.name, "lang": feed.lang, "kind": feed.kind,
        "supplier_id": feed.supplier_id, "credibility": feed.credibility,
        "poll_interval_minutes": feed.poll_interval_minutes, "enabled": feed.enabled,
        "last_polled_at": feed.last_polled_at, "last_success_at": feed.last_success_at,
        "last_error": feed.last_error, "consecutive_failures": feed.consecutive_failures,
        "next_poll_at": feed.next_poll_at,
    }


def search_feed_url(template: str, query: str) -> str:
    """Fill ``{query}`` in the template with the URL-encoded name."""
    return template.replace("{query}", quote_plus(query))


def sync_supplier_search_feeds(
    session: Session,
    settings: Settings,
    *,
    statuses: Sequence[str] = ("active", "onboarding"),
    credibility: float = 0.6,
) -> dict:
    """Create one ``supplier_search`` feed per monitored supplier name (Chinese and English).

    Does nothing unless ``settings.supplier_search_feed_template`` contains ``{query}``. Search
    feeds of suppliers that are no longer monitored, or whose name changed, are disabled.
    Returns counts: created, kept, disabled.
    """
    template = settings.supplier_search_feed_template or ""
    counts = {"created": 0, "kept": 0, "disabled": 0, "enabled": 0}
    if "{query}" not in template:
        counts["skipped"] = "supplier_search_feed_template has no {query}"
        return counts
    wanted: dict[str, tuple[int, str, str]] = {}
    rows: Iterable = session.execute(
        select(Supplier.id, Supplier.name_zh, Supplier.name_en).where(Supplier.status.in_(list(statuses)))
    )
    for sid, name_zh, name_en in rows:
        for name, lang in ((name_zh, "zh"), (name_en, "en")):
            if name and name.strip():
                wanted[search_feed_url(template, name.strip())] = (sid, lang, name.strip())
    existing = {f.url: f for f in session.scalars(select(Feed).where(Feed.kind == SEARCH_KIND))}
    for url, feed in existing.items():
        if url in wanted:
            counts["kept"] += 1
            if not feed.enabled:
                feed.enabled = True
                feed.next_poll_at = utcnow()
                counts["enabled"] += 1
        elif feed.enabled:
            feed.enabled = False
            counts["disabled"] += 1
    taken = set(session.scalars(select(Feed.url)))  # a static feed may already use the same URL
    for url, (sid, lang, name) in wanted.items():
        if url in existing:
            continue
        if url in taken or len(url) > 2048:
            continue
        session.add(Feed(url=url, name=f"search: {name}"[:255], lang=lang, kind=SEARCH_KIND, supplier_id=sid,
                         credibility=credibility, poll_interval_minutes=settings.default_feed_poll_minutes,
                         enabled=True, next_poll_at=utcnow(), consecutive_failures=0))
        counts["created"] += 1
    session.flush()
    return counts
