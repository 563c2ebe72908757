"""Fixtures for the classifier tests: the bundled artifact (loaded once) and a tiny corpus writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from models.redline import RedLineClassifier, load_classifier


@pytest.fixture(scope="session")
def bundled() -> RedLineClassifier:
    """The committed model in ``models/artifacts`` (what production uses by default)."""
    return load_classifier()


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[[str, list], Path]:
    """Write a list of dicts (or raw strings) as a JSONL file under ``tmp_path``."""

    def _write(name: str, rows: list) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
        return path

    return _write


@pytest.fixture(autouse=True)
def _reset_configured_model():
    """Promotions in a test call ``models.redline.configure``; never leak that into other tests."""
    from models import redline

    yield
    redline.configure(None)
