"""The durable outbox: retries with backoff, exactly once per key across outages, races and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from alert_factories import make_article, make_supplier
from sqlalchemy import select

from riskradar.alerts import service
from riskradar.alerts.config import AlertConfig
from riskradar.alerts.outbox import backoff_seconds
from riskradar.db import Database
from riskradar.domain import AlertEvent, Channel, OutboxMessage, utcnow

REPO = Path(__file__).resolve().parents[3]


def _alerts(db, settings, receiver_url: str, n: int, *, path: str = "/hook") -> list[str]:
    """n distinct incidents → n alerts → n outbox messages to one webhook channel; returns keys."""
    with db.scope() as s:
        service.add_channel(s, "webhook", receiver_url + path, secret="s3cret", language="en")
        for i in range(n):
            sup = make_supplier(s, name_en=f"Supplier {i} Ltd", name_zh=f"供应商{i}有限公司")
            make_article(s, sup)
    with db.scope() as s:
        assert len(service.detect_alerts(s, settings)) == n
    with db.scope() as s:
        return list(s.scalars(select(OutboxMessage.idempotency_key)))


def _accepted_keys(receiver) -> Counter:
    return Counter(r.headers["X-RiskRadar-Delivery"] for r in receiver.accepted())


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    cfg = AlertConfig({"delivery": {"backoff_base_seconds": 10, "backoff_max_seconds": 100}})
    import random

    rng = random.Random(1)
    delays = [backoff_seconds(a, cfg, rng) for a in (1, 2, 3, 4, 10)]
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20 and 20 <= delays[2] <= 40 and 40 <= delays[3] <= 80
    assert 50 <= delays[4] <= 100


def test_channel_outage_then_recovery_delivers_each_alert_exactly_once(db, settings, receiver):
    receiver.behaviour = lambda n: 503 if n <= 7 else 200  # down for the first 7 requests
    keys = _alerts(db, settings, receiver.url, 5)
    now = utcnow()
    for step in range(12):
        service.deliver_due(db, settings, now=now + timedelta(hours=2 * step))
        with db.scope() as s:
            if not s.scalars(select(OutboxMessage).where(OutboxMessage.status != "sent")).all():
                break
    assert _accepted_keys(receiver) == Counter({k: 1 for k in keys})
    assert any(r.status == 503 for r in receiver.requests)
    with db.scope() as s:
        msgs = s.scalars(select(OutboxMessage)).all()
        assert {m.status for m in msgs} == {"sent"}
        assert max(m.attempts for m in msgs) >= 2
        assert s.scalars(select(Channel)).one().consecutive_failures == 0
        delivered = s.scalars(select(AlertEvent).where(AlertEvent.action == "delivered")).all()
        assert len(delivered) == 5


def test_failing_channel_is_not_hammered_within_one_pass(db, settings, receiver):
    (settings.data_dir / "alerts.toml").write_text("[delivery]\nworkers = 1\n")  # claims of 2 messages
    receiver.behaviour = lambda n: 503
    _alerts(db, settings, receiver.url, 6)
    counts = service.deliver_due(db, settings)
    # The first claim fails; the channel is then skipped for the rest of the pass, and the
    # messages not tried keep all their attempts.
    assert counts["retry"] == 2 and len(receiver.requests) == 2
    with db.scope() as s:
        msgs = s.scalars(select(OutboxMessage)).all()
        assert {m.status for m in msgs} == {"pending"}
        assert sorted(m.attempts for m in msgs) == [0, 0, 0, 0, 1, 1]


def test_message_becomes_dead_after_max_attempts(db, settings, receiver):
    settings = settings.replace(delivery_max_attempts=3)
    receiver.behaviour = lambda n: 500
    _alerts(db, settings, receiver.url, 1)
    now = utcnow()
    for step in range(5):
        service.deliver_due(db, settings, now=now + timedelta(days=step))
    with db.scope() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert (msg.status, msg.attempts) == ("dead", 3)
        assert "HTTP 500" in msg.last_error
        failed = s.scalars(select(AlertEvent).where(AlertEvent.action == "delivery_failed")).one()
        assert failed.data["attempts"] == 3
    assert len(receiver.requests) == 3


def test_client_error_is_not_retried(db, settings, receiver):
    receiver.behaviour = lambda n: 400
    _alerts(db, settings, receiver.url, 1)
    service.deliver_due(db, settings)
    with db.scope() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert (msg.status, msg.attempts) == ("dead", 1)


def test_private_address_is_refused_without_allow_list(db, settings, receiver):
    strict = settings.replace(fetch_allow_hosts="")
    _alerts(db, strict, receiver.url, 1)
    service.deliver_due(db, strict)
    with db.scope() as s:
        msg = s.scalars(select(OutboxMessage)).one()
        assert msg.status == "dead"
        assert "non-public address 127.0.0.1" in msg.last_error
    assert receiver.requests == []


def test_disabled_channel_keeps_messages_until_enabled(db, settings, receiver):
    keys = _alerts(db, settings, receiver.url, 2)
    with db.scope() as s:
        channel_id = s.scalars(select(Channel.id)).one()
        service.set_channel_enabled(s, channel_id, False)
    assert service.deliver_due(db, settings)["claimed"] == 0
    with db.scope() as s:
        service.set_channel_enabled(s, channel_id, True)
    service.deliver_due(db, settings)
    assert _accepted_keys(receiver) == Counter({k: 1 for k in keys})


def test_two_workers_never_send_the_same_message(any_db, receiver):
    db, settings = any_db, any_db.settings
    (settings.data_dir / "alerts.toml").write_text("[delivery]\nbatch_size = 5\nworkers = 2\n")
    keys = _alerts(db, settings, receiver.url, 30)
    other = Database(settings)
    try:
        def drain(database):
            while service.deliver_due(database, settings)["claimed"]:  # 5 messages per call
                pass

        threads = [threading.Thread(target=drain, args=(d,)) for d in (db, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        other.dispose()
    assert Counter(r.headers["X-RiskRadar-Delivery"] for r in receiver.requests) == Counter({k: 1 for k in keys})


def _cli_env(settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKRADAR_")}
    env.update({
        "RISKRADAR_DATA_DIR": str(settings.data_dir),
        "RISKRADAR_DATABASE_URL": settings.database_url,
        "RISKRADAR_SECRET_KEY": "test-secret",
        "RISKRADAR_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "RISKRADAR_FETCH_TIMEOUT_SECONDS": "30",
    })
    return env


def test_delivery_survives_a_killed_process_exactly_once_per_key(db, settings, receiver):
    # One sender thread and a 1-second lease so the test can wait the lease out quickly.
    (settings.data_dir / "alerts.toml").write_text("[delivery]\nworkers = 1\nbatch_size = 50\nlease_seconds = 1\n")
    receiver.behaviour = lambda n: "block" if n == 4 else 200  # the 4th request hangs: the process dies there
    keys = _alerts(db, settings, receiver.url, 8)
    cmd = [sys.executable, "-m", "riskradar", "alerts", "deliver"]
    proc = subprocess.Popen(cmd, env=_cli_env(settings), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert receiver.blocked.wait(60), "the delivery process never reached the receiver"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    receiver.release.set()
    with db.scope() as s:
        at_crash = {m.idempotency_key: m.status for m in s.scalars(select(OutboxMessage))}
    statuses = Counter(at_crash.values())
    # Outcomes are stored as they happen: the requests answered before the crash are "sent"
    # (except possibly the last one, answered while the process was being killed); the one in
    # flight and the rest of its claim were left "sending".
    assert statuses["sent"] >= 2 and statuses["sending"] >= 1 and sum(statuses.values()) == 8

    time.sleep(1.2)  # the lease of the messages the dead process held runs out
    done = subprocess.run(cmd, env=_cli_env(settings), cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with db.scope() as s:
        assert {m.status for m in s.scalars(select(OutboxMessage))} == {"sent"}
    on_wire = _accepted_keys(receiver)
    # No alert lost, and a receiver that drops repeats of an idempotency key processes each once.
    assert set(on_wire) == set(keys)
    # A key reaches the wire twice only if its "sent" was not yet stored when the process died.
    repeated = {k for k, n in on_wire.items() if n > 1}
    assert all(n <= 2 for n in on_wire.values())
    assert all(at_crash[k] != "sent" for k in repeated)
    # Plus exactly one request cut off by the crash (never answered).
    assert len([r for r in receiver.requests if r.status == -1]) == 1


def test_run_alert_cycle_detects_and_delivers_on_each_backend(any_db, receiver):
    settings = any_db.settings
    with any_db.scope() as s:
        service.add_channel(s, "webhook", receiver.url + "/cycle")
        sup = make_supplier(s)
        for _ in range(3):
            make_article(s, sup)
        make_article(s, make_supplier(s, name_en="Second Ltd"), label="bribery")
    result = service.run_alert_cycle(any_db, settings)
    assert (result["created"], result["evidence"], result["delivery"]["sent"]) == (2, 4, 2)
    assert sorted(r.json()["alert"]["source_count"] for r in receiver.accepted()) == [1, 3]
    again = service.run_alert_cycle(any_db, settings)
    assert (again["created"], again["delivery"]["claimed"]) == (0, 0)
