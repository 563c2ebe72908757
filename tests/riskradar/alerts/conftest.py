"""Fixtures for alert tests (builders live in ``alert_factories``)."""

from __future__ import annotations

from typing import Iterator

import pytest
from alert_factories import Receiver, start_receiver, stop_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1, stopped after the test."""
    rec = start_receiver()
    yield rec
    stop_receiver(rec)
