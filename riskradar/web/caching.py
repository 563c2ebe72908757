"""Short-lived caches shared by the views (keys include the database URL, so apps never mix).

``RISKRADAR_CACHE_SECONDS`` in the app config sets the lifetime (default 30 s; tests use 0).
"""

from __future__ import annotations

from flask import current_app

from dashboards.queries import TTLCache

dashboard_cache = TTLCache()
figure_cache = TTLCache()
count_cache = TTLCache(max_entries=2048)
options_cache = TTLCache()
response_cache = TTLCache(max_entries=4096)


def cache_seconds() -> float:
    """How long cached aggregates may be served."""
    return float(current_app.config.get("RISKRADAR_CACHE_SECONDS", 30))
