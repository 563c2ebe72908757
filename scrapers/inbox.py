"""The watched inbox: ``<inbox_dir>/{suppliers,audits,agreements}/`` files are imported.

A file is taken once it has not been modified for ``settings.inbox_settle_seconds`` (a file
still being written keeps changing its mtime/size); dotfiles, ``*.part`` and ``*.tmp`` are
ignored. After import the file moves to ``<kind>/processed/`` or ``<kind>/failed/`` with a
JSON report ``<name>.report.json`` beside it. A file whose sha256 matches an earlier batch of
the same kind that took every row is not imported again: it moves to ``processed/`` with a
report naming that batch (a file that had rejected rows or failed is imported again, since
fixing the master data may let more rows in; the importers are idempotent).

A file being imported is first renamed to a hidden ``.claimed-<pid>@<host>-<name>`` so that
only one scheduler takes it; if that process is killed mid-import, the next pass puts the file
back (:func:`recover_claimed`: claiming process gone on this host, or claim older than
``job_stale_after_seconds``) and imports it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from riskradar.db import Database
from riskradar.leases import HOST, claim_is_dead
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


CLAIM_PREFIX = ".claimed-"
# ".claimed-<pid>@<host>-<name>"; files claimed before the host was recorded are ".claimed-<pid>-<name>".
CLAIMED_RE = re.compile(r"^\.claimed-(?P<pid>\d+)(?:@(?P<host>[A-Za-z0-9._]*))?-(?P<name>.+)$")


def _host_tag(host: str) -> str:
    # Host names may contain "-", the separator before the file name.
    return re.sub(r"[^A-Za-z0-9.]", "_", host)


def claim(path: Path) -> Path | None:
    """Rename a file to a hidden per-process name so no other scheduler takes it too (None: taken).

    The name records this process (pid and host) and the file's mtime is set to the claim time,
    so :func:`recover_claimed` can put back a file whose importer was killed.
    """
    claimed = path.with_name(f"{CLAIM_PREFIX}{os.getpid()}@{_host_tag(HOST)}-{path.name}")  # keeps the suffix
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        return None
    try:
        os.utime(claimed)  # the lease runs from the claim, not from when the file was written
    except FileNotFoundError:
        return None
    return claimed


def _recovered_name(name: str, n: int) -> str:
    if n == 0:
        return name
    stem, dot, suffix = name.partition(".")
    return f"{stem}-recovered-{n}{dot}{suffix}"


def _put_back(src: Path, folder: Path, name: str) -> Path:
    """Move ``src`` to ``folder/name`` (or ``name-recovered-N``) without replacing any file there."""
    n = 0
    while True:
        target = folder / _recovered_name(name, n)
        try:
            os.link(src, target)  # fails if target exists: a newer drop of the same name is kept
        except FileExistsError:
            n += 1
            continue
        except OSError:  # no hard links on this filesystem
            if target.exists():
                n += 1
                continue
            os.rename(src, target)
            return target
        os.unlink(src)
        return target


def recover_claimed(settings: Settings, *, now: float | None = None) -> list[dict[str, Any]]:
    """Put back inbox files claimed by an import that will never finish; returns what was recovered.

    A claimed file is abandoned when its claiming process ran on this host and is gone (killed
    mid-import), or when it was claimed more than ``settings.job_stale_after_seconds`` ago.
    It is renamed back under its inbox name (with ``-recovered-N`` if that name is taken again)
    and left settled, so this or the next pass imports it; the importers are idempotent, so
    rows the killed run had already stored are not duplicated.
    """
    now = time.time() if now is None else now
    lease = settings.job_stale_after_seconds
    recovered: list[dict[str, Any]] = []
    for kind, folder in ensure_inbox(settings).items():
        for path in folder.iterdir():
            match = CLAIMED_RE.match(path.name)
            if match is None:
                continue
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            pid, tag = int(match["pid"]), match["host"]
            # Old-style names carry no host: they can only come from a local inbox on this host.
            host = HOST if tag is None or tag == _host_tag(HOST) else tag
            if claim_is_dead(host, pid):
                reason = f"claimed by process {pid}, which is gone"
            elif age >= lease:
                reason = f"claimed {int(age)}s ago, longer than the {lease}s lease"
            else:
                continue
            # Re-claim it for this process first, so only one scheduler puts it back.
            mine = path.with_name(f"{CLAIM_PREFIX}{os.getpid()}@{_host_tag(HOST)}-{match['name']}")
            try:
                os.rename(path, mine)
            except FileNotFoundError:  # another scheduler recovered it first
                continue
            target = _put_back(mine, folder, match["name"])
            settled = now - settings.inbox_settle_seconds - 1
            os.utime(target, (settled, settled))  # it was complete when claimed: take it right away
            log.warning("inbox: recovered %s (%s)", target, reason)
            recovered.append({"file": target.name, "kind": kind, "claimed_as": path.name, "reason": reason})
    return recovered


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

    Returns ``{"imported": n, "failed": n, "duplicates": n, "waiting": n, "recovered": n,
    "files": [report...]}``; ``waiting`` counts files not yet settled (left for the next run),
    ``recovered`` files left claimed by a killed import and put back first (:func:`recover_claimed`).
    """
    recovered = recover_claimed(settings)
    counts = {"imported": 0, "failed": 0, "duplicates": 0, "waiting": 0, "recovered": len(recovered)}
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
