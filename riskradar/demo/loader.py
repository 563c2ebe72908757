"""``riskradar demo``: load the demo dataset through the real importers and services.

Order: suppliers (a generated CSV with Chinese headers, imported by the supplier importer),
then -- when the modules exist -- demo audit and agreement files for the inbox, the demo
news feeds, and a first admin account. Each later step is optional: a missing module is
skipped and reported, a failing step is reported without undoing the suppliers.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any, Callable

from riskradar.db import Database
from riskradar.demo.suppliers import generate_suppliers, write_supplier_csv
from riskradar.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_SUPPLIERS = 2400
DEFAULT_SEED = 7


def demo_csv_path(settings: Settings, n_suppliers: int, seed: int) -> Path:
    """Where the demo supplier CSV is written (under the data directory)."""
    return settings.data_dir / "demo" / f"demo-suppliers-{n_suppliers}-seed{seed}.csv"


def _hook(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` when that module exists (other parts of the demo are optional)."""
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as exc:
        # Only "this module is not there"; an ImportError inside an existing module is a bug.
        if getattr(exc, "name", None) and module.startswith(exc.name or "\0"):
            return None
        raise
    except AttributeError:
        return None


def load_demo(db: Database, settings: Settings, *, n_suppliers: int = DEFAULT_SUPPLIERS,
              seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Load the demo: suppliers, inbox files, feeds, admin. Returns what each step did.

    Keys: ``suppliers`` (the import batch summary), ``inbox``, ``feeds``, ``admin``
    (``{"username", "password"}`` only when an admin was created now), ``skipped`` (steps whose
    module is absent) and ``errors`` (steps that failed, with the message).
    """
    from riskradar.services.suppliers import import_suppliers

    result: dict[str, Any] = {"skipped": [], "errors": {}}
    path = write_supplier_csv(generate_suppliers(n_suppliers, seed), demo_csv_path(settings, n_suppliers, seed),
                              headers="zh", encoding="utf-8-sig")
    with db.scope() as session:
        batch = import_suppliers(session, settings, path, source="demo")
        result["suppliers"] = batch.summary()
    if batch.status == "failed":
        raise RuntimeError(f"demo supplier import failed: {batch.error}")

    steps: list[tuple[str, str, str, Callable[[Callable[..., Any], Any], Any]]] = [
        ("inbox", "riskradar.demo.inbox_files", "write_demo_inbox_files", lambda f, s: f(settings, s)),
        ("feeds", "riskradar.demo.news", "register_demo_feeds", lambda f, s: f(s, settings)),
        ("admin", "riskradar.services.users", "ensure_demo_admin", lambda f, s: f(s)),
    ]
    for key, module, name, call in steps:
        func = _hook(module, name)
        if func is None:
            result["skipped"].append(f"{module}.{name}")
            continue
        try:
            with db.scope() as session:
                value = call(func, session)
        except Exception as exc:  # noqa: BLE001 - report the failed step, keep the rest of the demo
            log.exception("demo step %s failed", key)
            result["errors"][key] = f"{type(exc).__name__}: {exc}"
            continue
        if key == "admin":
            result["admin"] = {"username": value[0], "password": value[1]} if value else None
        else:
            result[key] = value
    return result
