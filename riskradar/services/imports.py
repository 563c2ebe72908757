"""Import batches: provenance for every imported file, with the original retained.

Every importer (suppliers, audits, agreements; CLI, inbox, web, API) calls
:func:`start_batch` before reading a file and :func:`finish_batch` afterwards. The original
file is copied to ``<raw_dir>/imports/<sha256>/<file name>`` so what was imported can always be
inspected again, and each created or changed row points at its batch.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar.domain import ImportBatch, utcnow
from riskradar.settings import Settings

# More errors than this are summarised in one final entry, so a batch row stays a sane size.
MAX_STORED_ERRORS = 50_000
_SAFE_NAME = re.compile(r"[^\w.\-\u3400-\u9fff]+")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def safe_file_name(name: str) -> str:
    """A file name without directories or odd characters (uploads can carry anything)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._") or "upload"
    return cleaned[:200]


def retain_file(settings: Settings, path: Path, sha256: str, *, name: str | None = None) -> Path:
    """Copy ``path`` to ``<raw_dir>/imports/<sha256>/<name>`` (once) and return the stored path."""
    target_dir = settings.raw_dir / "imports" / sha256
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / safe_file_name(name or path.name)
    if not target.exists():
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return target


def start_batch(session: Session, settings: Settings, kind: str, path: Path | str, *, source: str = "cli",
                created_by: str | None = None, file_name: str | None = None) -> ImportBatch:
    """Record the start of an import of ``path`` and retain the original file.

    ``file_name`` overrides the recorded name (web uploads are saved under a temporary name).
    The batch is flushed, so ``batch.id`` is set; nothing is committed.
    """
    path = Path(path)
    name = safe_file_name(file_name or path.name)
    sha = file_sha256(path) if path.is_file() else ""
    stored = retain_file(settings, path, sha, name=name) if sha else None
    batch = ImportBatch(
        kind=kind, source=source, file_name=name, sha256=sha,
        size_bytes=path.stat().st_size if path.is_file() else 0,
        stored_path=str(stored) if stored else None, status="running", created_by=created_by,
        errors=[], started_at=utcnow(),
    )
    session.add(batch)
    session.flush()
    return batch


def finish_batch(session: Session, batch: ImportBatch, errors: Sequence[Mapping[str, Any]],
                 counts: Mapping[str, int], *, error: str | None = None) -> ImportBatch:
    """Store counts and row errors on ``batch`` and set its final status.

    ``counts`` keys: ``total``, ``created``, ``updated``, ``unchanged``, ``rejected`` (missing
    keys count 0). ``error`` marks a whole-file failure (status ``failed``); otherwise the status
    is ``completed_with_errors`` when any row was rejected, else ``completed``.
    """
    rows = [dict(e) for e in errors]
    if len(rows) > MAX_STORED_ERRORS:
        more = len(rows) - MAX_STORED_ERRORS
        rows = rows[:MAX_STORED_ERRORS] + [{"row": None, "column": None,
                                            "reason": f"... and {more} more errors not stored"}]
    batch.rows_total = int(counts.get("total", 0))
    batch.rows_created = int(counts.get("created", 0))
    batch.rows_updated = int(counts.get("updated", 0))
    batch.rows_unchanged = int(counts.get("unchanged", 0))
    batch.rows_rejected = int(counts.get("rejected", 0))
    batch.errors = rows
    batch.error = error
    if error:
        batch.status = "failed"
    elif batch.rows_rejected or rows:
        batch.status = "completed_with_errors"
    else:
        batch.status = "completed"
    batch.finished_at = utcnow()
    session.flush()
    return batch


def find_batch_by_sha(session: Session, kind: str, sha: str) -> ImportBatch | None:
    """The most recent batch of ``kind`` that imported a file with this SHA-256, if any."""
    return session.scalars(
        select(ImportBatch).where(ImportBatch.kind == kind, ImportBatch.sha256 == sha)
        .order_by(ImportBatch.id.desc()).limit(1)
    ).first()


def get_batch(session: Session, batch_id: int) -> ImportBatch | None:
    """One batch by id."""
    return session.get(ImportBatch, batch_id)


def list_batches(session: Session, *, kind: str | None = None, limit: int = 50,
                 offset: int = 0) -> list[ImportBatch]:
    """Batches, newest first, optionally of one ``kind``."""
    query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit).offset(offset)
    if kind:
        query = query.where(ImportBatch.kind == kind)
    return list(session.scalars(query))
