"""Parse RSS/Atom/RDF bytes with feedparser and normalise entries into plain, comparable data.

Nothing here touches the network or the database: :func:`parse_feed` takes the fetched bytes and
returns :class:`ParsedFeed` (normalised entries plus a list of problems for what could not be
taken). Malformed ("bozo") feeds are parsed as far as feedparser gets; each entry that cannot be
used is reported with its position instead of failing the whole feed.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import nh3

from riskradar.names import fold

MAX_URL_LENGTH = 2048
MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 5000
MIN_TITLE_KEY_CHARS = 8  # shorter titles ("Update", "快讯") are too generic to merge stories on
# Tags whose content is dropped entirely (not just the tag).
_DROP_CONTENT = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
                 "textarea", "select", "applet", "frameset", "noembed", "noframes", "xmp", "plaintext"}
_BLOCK_TAG_RE = re.compile(r"<\s*/?\s*(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|section|article|hr|pre)\b[^>]*>",
                           re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAGLIKE_RE = re.compile(r"<[!/?a-zA-Z]")
# Trailing " - Reuters", " | 新华网", " — BBC News" added by syndicators.
_OUTLET_SUFFIX_RE = re.compile(r"\s+[-|–—]\s+[^-|–—]{1,40}$")
_KEY_STRIP_RE = re.compile(r"[\W_]+", re.UNICODE)
_BENIGN_BOZO = {"NonXMLContentType", "CharacterEncodingOverride"}
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "spm", "from", "yclid")


@dataclass
class FeedEntry:
    """One normalised entry, ready to be stored as an article source."""

    entry_key: str
    guid: str | None
    url: str | None
    title: str
    summary: str | None
    lang: str | None
    published_at: datetime
    title_key: str
    position: int


@dataclass
class ParsedFeed:
    """The result of parsing one feed document."""

    title: str | None
    lang: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    bozo: bool = False
    entries_seen: int = 0

    @property
    def rejected(self) -> int:
        """Entries that could not be used (each has a problem with its position)."""
        return sum(1 for p in self.problems if p.get("rejected"))


# --- text ---------------------------------------------------------------------------------------


def to_plain_text(value: str | None, *, limit: int | None = None) -> str:
    """HTML (or text) to one line of plain text: sanitised by nh3, tags stripped, entities unescaped.

    Script/style (and similar) content is removed with its tags. Text that still looks like markup
    after unescaping (e.g. ``&lt;script&gt;`` in the source) is cleaned again, so no markup survives.
    """
    if not value:
        return ""
    text = value
    for _ in range(4):
        if "<" not in text and "&" not in text:
            break
        before = text
        text = _BLOCK_TAG_RE.sub(" ", text)
        text = nh3.clean(text, tags=set(), clean_content_tags=_DROP_CONTENT, strip_comments=True)
        text = html.unescape(text)
        if text == before or not _TAGLIKE_RE.search(text):
            break
    text = _WS_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def detect_language(text: str) -> str | None:
    """Tiny script-based guess: ``zh`` when CJK ideographs dominate, ``en`` for mostly-ASCII letters,
    ``other`` for anything else, None for text without letters."""
    cjk = latin = other = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            cjk += 1
        elif ch.isascii():
            if ch.isalpha():
                latin += 1
        elif ch.isalpha():
            other += 1
    letters = cjk + latin + other
    if not letters:
        return None
    if cjk / letters >= 0.3:
        return "zh"
    if latin / letters >= 0.8:
        return "en"
    return "other"


def normalise_lang(value: str | None) -> str | None:
    """``zh-CN``/``zh_Hans``/``ZH`` -> ``zh``, ``en-us`` -> ``en``; None for empty or odd values."""
    if not value:
        return None
    primary = re.split(r"[-_\s]", value.strip().lower(), maxsplit=1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 8 else None


def canonical_url(url: str | None) -> str | None:
    """Canonical link: http(s) only, lower-case host, no default port, fragment or tracking params.

    Returns None for other schemes (``javascript:``, ``mailto:``), malformed or over-long URLs.
    """
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING_PARAMS)]
    path = parts.path or "/"
    result = urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))
    return result if len(result) <= MAX_URL_LENGTH else None


def title_fingerprint(title: str) -> str | None:
    """Normalised title for near-duplicate detection, or None when too short to be meaningful.

    Case, width, punctuation, whitespace and Traditional/Simplified differences are folded and a
    trailing outlet name (" - Reuters") is dropped, so syndicated copies share one fingerprint.
    """
    text = title.strip()
    stripped = _OUTLET_SUFFIX_RE.sub("", text)
    if len(stripped) >= 15:
        text = stripped
    key = _KEY_STRIP_RE.sub("", fold(text))
    return key if len(key) >= MIN_TITLE_KEY_CHARS else None


def sha256_hex(text: str) -> str:
    """Hex SHA-256 of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def entry_key_for(guid: str | None, link: str | None, feed_url: str, title: str, published: datetime | None) -> str:
    """The de-duplication key of one outlet's copy of a story.

    A guid that is globally meaningful (a URL, URN or long token) or the canonical link is used as
    is, so the same item seen through two feeds is stored once; short feed-local guids ("1", "42")
    are scoped to the feed URL so they never collide across feeds.
    """
    if guid:
        if "://" in guid or guid.startswith(("urn:", "tag:")) or len(guid) >= 20:
            return sha256_hex("guid:" + guid)
        return sha256_hex(f"guid:{feed_url}\n{guid}")
    if link:
        return sha256_hex("link:" + link)
    return sha256_hex(f"entry:{feed_url}\n{title}\n{published.isoformat() if published else ''}")


# --- parsing ----------------------------------------------------------------------------------


def _struct_to_utc(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _entry_lang(entry: Mapping[str, Any]) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key)
        if detail and detail.get("language"):
            return normalise_lang(detail.get("language"))
    return normalise_lang(entry.get("language"))


def _bozo_problem(exc: Any) -> dict[str, Any]:
    problem: dict[str, Any] = {"where": "feed", "error": f"{type(exc).__name__}: {exc}"}
    line = getattr(exc, "getLineNumber", None)
    if callable(line):
        try:
            problem["line"] = line()
        except Exception:  # noqa: BLE001 - position is a nicety
            pass
    return problem


def parse_feed(
    body: bytes,
    *,
    feed_url: str,
    fetched_at: datetime | None = None,
    content_type: str | None = None,
    default_lang: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes and normalise every usable entry.

    ``feed_url`` scopes short guids and resolves relative links; ``fetched_at`` is the fallback
    publication time; ``default_lang`` (the registry's language for the feed) is used when neither
    feed nor entry declares one. Never raises for bad content: problems are returned instead.
    """
    fetched_at = fetched_at or datetime.now(timezone.utc)
    # Without a Content-Type (local files) feedparser flags every feed; XML is what we expect.
    # No content-location: feedparser would urljoin every element against it (a third of parse
    # time); the one link we keep is resolved against the feed URL in _normalise_entry instead.
    headers = {"content-type": content_type or "application/xml"}
    problems: list[dict[str, Any]] = []
    try:
        # A file object, never bytes/str: feedparser would treat a string as a URL or a local path.
        # feedparser's own sanitiser and URI rewriting are off: every text goes through nh3 and is
        # reduced to plain text below (links inside it are dropped), and they triple parse time.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, resolve_relative_uris=False,
                                  sanitize_html=False)
    except Exception as exc:  # noqa: BLE001 - feedparser should not raise, but one bad feed must not stop others
        return ParsedFeed(None, None, problems=[{"where": "feed", "error": f"unparseable: {type(exc).__name__}: {exc}"}],
                          bozo=True)
    bozo = bool(parsed.get("bozo"))
    if bozo:
        exc = parsed.get("bozo_exception")
        problems.append(_bozo_problem(exc))
        # A wrong Content-Type or a declared-vs-actual charset mismatch still parses completely.
        if type(exc).__name__ in _BENIGN_BOZO:
            bozo = False
    meta = parsed.get("feed", {}) or {}
    feed_lang = normalise_lang(meta.get("language")) or _entry_lang(meta) or normalise_lang(default_lang)
    result = ParsedFeed(to_plain_text(meta.get("title"), limit=255) or None, feed_lang, problems=problems, bozo=bozo)
    entries = parsed.get("entries", []) or []
    result.entries_seen = len(entries)
    seen_keys: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        try:
            item = _normalise_entry(entry, position, feed_url=feed_url, fetched_at=fetched_at,
                                    feed_lang=feed_lang, problems=problems)
        except Exception as exc:  # noqa: BLE001 - report the entry, keep the rest
            problems.append({"where": f"entry {position}", "rejected": True,
                             "error": f"{type(exc).__name__}: {exc}"})
            continue
        if item is None:
            continue
        if item.entry_key in seen_keys:
            problems.append({"where": f"entry {position}", "rejected": True,
                             "error": "repeats an earlier entry of this feed (same guid/link)"})
            continue
        seen_keys.add(item.entry_key)
        result.entries.append(item)
    if not entries and not bozo:
        problems.append({"where": "feed", "error": "no entries"})
    return result


def _normalise_entry(
    entry: Mapping[str, Any],
    position: int,
    *,
    feed_url: str,
    fetched_at: datetime,
    feed_lang: str | None,
    problems: list[dict[str, Any]],
) -> FeedEntry | None:
    where = f"entry {position}"
    title = to_plain_text(entry.get("title"), limit=MAX_TITLE_CHARS)
    summary_html = entry.get("summary")
    if not summary_html and entry.get("content"):
        summary_html = entry["content"][0].get("value")
    summary = to_plain_text(summary_html, limit=MAX_SUMMARY_CHARS) or None
    if not title and summary:
        title = summary[:120].rstrip()
    if not title:
        problems.append({"where": where, "rejected": True, "error": "entry has neither title nor summary text"})
        return None
    raw_link = (entry.get("link") or "").strip() or None
    if raw_link and "://" not in raw_link[:12] and not raw_link.lower().startswith(("javascript:", "mailto:", "data:")):
        raw_link = urljoin(feed_url, raw_link)  # relative link
    url = canonical_url(raw_link)
    if raw_link and url is None:
        problems.append({"where": where, "error": f"link not kept (not http/https or malformed): {raw_link[:200]!r}"})
    guid = (entry.get("id") or entry.get("guid") or "").strip() or None
    if guid and len(guid) > MAX_URL_LENGTH:
        guid = guid[:MAX_URL_LENGTH]
    published = _struct_to_utc(entry.get("published_parsed")) or _struct_to_utc(entry.get("updated_parsed"))
    declared = published
    if published is None:
        if entry.get("published") or entry.get("updated"):
            problems.append({"where": where, "error": f"unreadable date {entry.get('published') or entry.get('updated')!r}; "
                             "fetch time used"})
        published = fetched_at
    elif published > fetched_at + timedelta(days=1):
        problems.append({"where": where, "error": f"date {published.isoformat()} is in the future; fetch time used"})
        published = fetched_at
    lang = _entry_lang(entry) or feed_lang or detect_language(f"{title} {summary or ''}")
    key = entry_key_for(guid, url, feed_url, title, declared)
    fingerprint = title_fingerprint(title)
    title_key = sha256_hex("title:" + fingerprint) if fingerprint else sha256_hex("entry:" + key)
    return FeedEntry(entry_key=key, guid=guid, url=url, title=title, summary=summary, lang=lang,
                     published_at=published, title_key=title_key, position=position)
