"""Demo feeds served by the app itself (registered by ``create_app`` only in demo mode).

``GET /demo/feeds/<name>.xml`` renders the demo outlet ``name`` with the items whose reveal offset
has passed since ``riskradar.demo.news.register_demo_feeds`` wrote the manifest, so new stories
keep arriving while someone watches. No login (the feed fetcher has none): each URL carries a
per-installation key derived from the secret key instead; a missing or wrong key gets 404.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import hmac

from flask import Blueprint, Response, abort, current_app, request

from riskradar.demo.news import DEMO_FEEDS, demo_feed_key, load_manifest, manifest_path, render_feed

bp = Blueprint("demo_feeds", __name__)
demo_feeds_bp = bp

_cache: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def _manifest(settings):  # type: ignore[no-untyped-def]
    """(start time, items), re-read when the manifest file changes; the first read starts the clock."""
    path = manifest_path(settings)
    with _lock:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = _cache.get(str(path))
        if cached is None or cached[0] != mtime:
            manifest = load_manifest(path)
            cached = (path.stat().st_mtime_ns, manifest)
            _cache[str(path)] = cached
        return cached[1]


@bp.route("/demo/feeds/<name>.xml")
def demo_feed(name: str) -> Response:
    """One demo feed with the items revealed so far (404 for unknown names or before setup)."""
    if name not in DEMO_FEEDS:
        abort(404)
    settings = current_app.extensions["riskradar.settings"]
    if not hmac.compare_digest(request.args.get("key", ""), demo_feed_key(settings, name)):
        abort(404)
    manifest = _manifest(settings)
    if manifest is None:
        abort(404)
    started_at, items = manifest
    xml = render_feed(settings, name, items, started_at, now=datetime.now(timezone.utc))
    kind = "application/atom+xml" if DEMO_FEEDS[name][2] == "atom" else "application/rss+xml"
    response = Response(xml, mimetype=kind)
    response.headers["Cache-Control"] = "no-cache"
    return response
