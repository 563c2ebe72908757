"""The watched inbox: ``<inbox_dir>/{suppliers,audits,agreements}/`` files are imported.

A file is taken once it has not been modified for ``settings.inbox_settle_seconds`` (a file
still being written keeps changing its mtime/size); dotfiles, ``*.part`` and ``*.tmp`` are
ignored. After import the file moves to ``<kind>/processed/`` or ``<kind>/failed/`` with a
JSON report ``<name>.report.json`` beside it. A file whose sha256 matches an earlier batch of
the same kind that took every row is not imported again: it moves to ``processed/`` with a
report naming that batch (a file that had rejected rows or failed is imported again, since
fixing the master data may let more rows in; the importers are idempotent).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from riskradar.db import Database
from riskradar.settings import Settings

log = logging.getLogger(__name__)

KINDS = ("suppliers", "audits", "agreements")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".report.json")
REPORT_SUFFIX = ".report.json"


def _importer(kind: str) -> Callable[..., Any]:
    if kind == "suppliers":
        from riskradar.services.suppliers import import_suppliers

        return import_suppliers
    if kind == "audits":
        from scrapers.audits import import_audits

        return import_audits
    from scrapers.agreements import import_agreements

    return import_agreements


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_inbox(settings: Settings) -> dict[str, Path]:
    """Create the inbox folders; returns {kind: folder}."""
    folders = {}
    for kind in KINDS:
        folder = settings.inbox_dir / kind
        for sub in ("processed", "failed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        folders[kind] = folder
    return folders


def candidates(folder: Path) -> list[Path]:
    """Files in ``folder`` that could be imports (not hidden, partial or reports), oldest first."""
    out = []
    for path in folder.iterdir():
        name = path.name
        if not path.is_file() or name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES):
            continue
        out.append(path)
    return sorted(out, key=lambda p: (p.stat().st_mtime, p.name))


def is_settled(path: Path, settle_seconds: float, now: float | None = None) -> bool:
    """True when the file's mtime is at least ``settle_seconds`` old (no writer is adding to it)."""
    stat = path.stat()
    return ((time.time() if now is None else now) - stat.st_mtime) >= settle_seconds


def _destination(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists() or (folder / (target.name + REPORT_SUFFIX)).exists():
        stem, dot, suffix = name.partition(".")
        target = folder / f"{stem}-{n}{dot}{suffix}"
        n += 1
    return target


def _finish(path: Path, folder: Path, report: dict[str, Any], name: str) -> Path:
    target = _destination(folder, name)
    shutil.move(str(path), target)
    report["moved_to"] = str(target)
    (target.parent / (target.name + REPORT_SUFFIX)).write_text(
        json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return target


def claim(path: Path) -> Path | None:
    """Rename a file to a hidden per-process name so no other scheduler takes it too (None: taken)."""
    claimed = path.with_name(f".claimed-{os.getpid()}-{path.name}")  # keeps the suffix
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        return None
    return claimed


def process_file(db: Database, settings: Settings, kind: str, path: Path, *, name: str | None = None) -> dict[str, Any]:
    """Import one settled inbox file and move it; returns the report written beside it.

    ``name`` is the file's name in the inbox when ``path`` is its claimed (renamed) copy.
    """
    from riskradar.services.imports import find_batch_by_sha

    folder = path.parent
    name = name or path.name
    sha = sha256_of(path)
    report: dict[str, Any] = {"file": name, "kind": kind, "sha256": sha,
                              "processed_at": datetime.now(timezone.utc).isoformat()}
    with db.scope() as session:
        earlier = find_batch_by_sha(session, kind, sha)
        if earlier is not None:
            report["previous_batch"] = earlier.id
        # Only a file that was taken completely is a duplicate: one with rejected rows may import
        # further now (e.g. after the missing suppliers were added); importers are idempotent.
        if earlier is not None and earlier.status == "completed":
            report.update(outcome="duplicate", duplicate_of_batch=earlier.id, batch_id=None,
                          message=f"same content (sha256) as import batch {earlier.id}; not imported again")
            _finish(path, folder / "processed", report, name)
            return report
    try:
        with db.scope() as session:
            batch = _importer(kind)(session, settings, path, source="inbox", file_name=name)
            summary = batch.summary()
    except Exception as exc:  # noqa: BLE001 - any importer crash lands in failed/ with its reason
        log.exception("inbox import of %s failed", path)
        report.update(outcome="failed", batch_id=None, error=f"{type(exc).__name__}: {exc}")
        _finish(path, folder / "failed", report, name)
        return report
    failed = summary["status"] == "failed" or (
        summary["rows_total"] > 0 and summary["rejected"] == summary["rows_total"])
    report.update(outcome="failed" if failed else "imported", batch_id=summary["batch_id"], batch=summary)
    _finish(path, folder / ("failed" if failed else "processed"), report, name)
    return report


def process_inbox(db: Database, settings: Settings) -> dict[str, Any]:
    """Import every settled file in the inbox folders.

    Returns ``{"imported": n, "failed": n, "duplicates": n, "waiting": n, "files": [report...]}``;
    ``waiting`` counts files not yet settled (left for the next run).
    """
    counts = {"imported": 0, "failed": 0, "duplicates": 0, "waiting": 0}
    files: list[dict[str, Any]] = []
    for kind, folder in ensure_inbox(settings).items():
        for path in candidates(folder):
            try:
                if not is_settled(path, settings.inbox_settle_seconds):
                    counts["waiting"] += 1
                    continue
            except FileNotFoundError:  # taken by another scheduler meanwhile
                continue
            claimed = claim(path)
            if claimed is None:
                continue
            report = process_file(db, settings, kind, claimed, name=path.name)
            key = {"imported": "imported", "failed": "failed", "duplicate": "duplicates"}[report["outcome"]]
            counts[key] += 1
            files.append(report)
    return {**counts, "files": files}
