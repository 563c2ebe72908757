"""Short-lived caches shared by the views (keys include the database URL, so apps never mix).

``RISKRADAR_CACHE_SECONDS`` in the app config sets the lifetime (default 30 s; tests use 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from dashboards.queries import TTLCache
from riskradar.services.name_search import NameSearchIndex

dashboard_cache = TTLCache()
figure_cache = TTLCache()
count_cache = TTLCache(max_entries=2048)
options_cache = TTLCache()
response_cache = TTLCache(max_entries=4096)
name_index_cache = TTLCache(max_entries=8)
#: Caches whose values several server processes can share (small, picklable). The name index is
#: not among them: it is a large in-memory structure each process builds for itself.
SHAREABLE = (dashboard_cache, figure_cache, count_cache, options_cache, response_cache)
#: Upper bound of the shared cache on disk.
SHARED_CACHE_BYTES = 256 * 2**20
#: An expired name index is still used (while a background thread rebuilds it) up to this age;
#: past it (no search for a while) the next search waits for a fresh one.
NAME_INDEX_STALE_SECONDS = 120.0


def share_caches(directory: Path | None) -> None:
    """Let the server's processes reuse each other's cached results through ``directory``
    (a ``diskcache.Cache``: SQLite, safe across processes); None keeps every cache per process."""
    store = None
    if directory is not None:
        import diskcache

        store = diskcache.Cache(str(directory), size_limit=SHARED_CACHE_BYTES)
    for cache in SHAREABLE:
        cache.share_through(store)


def cache_seconds() -> float:
    """How long cached aggregates may be served."""
    return float(current_app.config.get("RISKRADAR_CACHE_SECONDS", 30))


def name_index(session: Session) -> NameSearchIndex | None:
    """The in-memory supplier name index for this database, rebuilt in the background once older
    than :func:`cache_seconds`; None when caching is off (then searches use SQL ``LIKE``)."""
    ttl = cache_seconds()
    if ttl <= 0:
        return None
    engine = session.get_bind()

    def build() -> NameSearchIndex:
        # Own session: the rebuild may run in a background thread after this request ended.
        with Session(bind=engine) as own:
            return NameSearchIndex.build(own)

    return name_index_cache.get_or_compute(("names", str(engine.url)), ttl, build,
                                           stale_ttl=max(ttl, NAME_INDEX_STALE_SECONDS))


def forget_supplier_names() -> None:
    """Drop the name index after suppliers were imported here (the next search rebuilds it), so
    a user who just uploaded suppliers finds them at once. Imports by other processes (CLI,
    inbox job in another process) show up within :func:`cache_seconds`."""
    name_index_cache.clear()


def warm_name_index(app: Any) -> None:
    """Build the name index once (e.g. at server start) so the first search does not wait."""
    with app.app_context(), app.extensions["riskradar.db"].scope() as session:
        name_index(session)
