"""One vocabulary: the UI, alert messages and scoring reasons name a thing the same way."""

from __future__ import annotations

from riskradar.alerts.labels import category_name, status_name
from riskradar.domain.base import ALERT_STATUSES, FINDING_CATEGORIES
from riskradar.scoring.model import SEVERITY_NAMES
from riskradar.web.messages import MESSAGES


def test_every_finding_category_and_alert_status_has_both_names() -> None:
    for code in FINDING_CATEGORIES:
        en, zh = MESSAGES[f"category.{code}"]
        assert en and zh and en != code
    for code in ALERT_STATUSES:
        assert MESSAGES[f"alert_status.{code}"][1]


def test_alert_messages_use_the_ui_names() -> None:
    assert category_name("fire", "zh") == MESSAGES["category.fire"][1]
    assert status_name("dismissed", "zh") == MESSAGES["alert_status.dismissed"][1]


def test_scoring_reasons_use_the_ui_severity_names() -> None:
    assert SEVERITY_NAMES["minor"][1] == MESSAGES["severity.minor"][1]
