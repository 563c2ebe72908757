"""Audit schemes: scheme names, severities and categories normalised, raw wording understood."""

from __future__ import annotations

import pytest

from riskradar.domain.base import AUDIT_SCHEMES, FINDING_CATEGORIES, SEVERITIES
from scrapers.schemes import SchemeError, get_scheme, is_red_line_event, map_category, schemes


def test_every_domain_scheme_is_registered() -> None:
    assert set(schemes()) == set(AUDIT_SCHEMES)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("RBA VAP", "rba"), ("EICC", "rba"), ("Sedex SMETA 4-pillar 6.1", "smeta"), ("amfori BSCI", "bsci"),
     ("SA 8000", "sa8000"), ("IPC-1401", "ipc1401"), ("客户审核", "customer"), ("内审", "internal"),
     ("中小企业社会责任评价", "sme")],
)
def test_scheme_names(raw: str, code: str) -> None:
    assert get_scheme(raw).code == code


def test_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(SchemeError, match="unknown scheme 'WRAPX'.*rba"):
        get_scheme("WRAPX")


@pytest.mark.parametrize(
    ("scheme", "raw", "severity"),
    [("rba", "Priority", "zero_tolerance"), ("rba", "Major", "major"), ("rba", "minor", "minor"),
     ("rba", "优先", "zero_tolerance"),
     ("smeta", "Non-compliance", "major"), ("smeta", "Observation", "observation"),
     ("smeta", "Good practice", "observation"), ("smeta", "不符合", "major"),
     ("bsci", "E", "major"), ("bsci", "C", "minor"), ("bsci", "zero tolerance", "zero_tolerance"),
     ("sa8000", "Critical NC", "zero_tolerance"), ("sa8000", "Major NC", "major"), ("sa8000", "Minor", "minor"),
     ("ipc1401", "Nonconformity", "major"), ("ipc1401", "OFI", "observation"),
     ("customer", "严重", "major"), ("customer", "零容忍", "zero_tolerance"), ("internal", "P2", "minor")],
)
def test_severity_mapping(scheme: str, raw: str, severity: str) -> None:
    assert get_scheme(scheme).severity(raw) == severity
    assert severity in SEVERITIES


def test_unknown_severity_is_an_error() -> None:
    with pytest.raises(SchemeError, match="unknown severity 'catastrophic'"):
        get_scheme("rba").severity("catastrophic")


def test_smeta_good_practice_needs_no_corrective_action() -> None:
    assert get_scheme("smeta").finding_status_default("Good practice") == "closed"
    assert get_scheme("smeta").finding_status_default("Non-compliance") == "open"


@pytest.mark.parametrize(
    ("raw", "description", "category"),
    [("童工", None, "child_labour"), ("Child Labour", None, "child_labour"), ("未成年工", None, "child_labour"),
     ("强迫劳动", None, "forced_labour"), ("扣押身份证", None, "forced_labour"),
     ("Freely chosen employment - passport retention", None, "forced_labour"),
     ("商业贿赂", None, "bribery"), ("Business ethics", "Kickback paid to buyer", "bribery"),
     ("消防", None, "fire"), ("Fire safety", None, "fire"), ("Health & Safety", "Emergency exits locked", "fire"),
     ("工时", None, "wages_hours"), ("Overtime", None, "wages_hours"), ("Wages and benefits", None, "wages_hours"),
     ("职业健康", None, "health_safety"), ("Health & Safety", "PPE not worn", "health_safety"),
     ("环境", None, "environment"), ("Wastewater discharge", None, "environment"),
     ("歧视", None, "discrimination"), ("Harassment", None, "discrimination"),
     ("管理体系", None, "management_system"), ("Labour", "no detail", "other"), (None, None, "other"),
     ("fire", None, "fire"), ("child_labour", None, "child_labour")],
)
def test_category_mapping(raw: str | None, description: str | None, category: str) -> None:
    assert map_category(raw, description) == category
    assert category in FINDING_CATEGORIES


def test_specific_category_is_not_overridden_by_description() -> None:
    # A wages finding that mentions children in passing stays a wages finding.
    assert map_category("Wages", "Workers with children receive no allowance") == "wages_hours"


def test_rba_score_out_of_200_and_recognition_level() -> None:
    out = get_scheme("rba").overall(185, None, None, None)
    assert (out.score, out.score_max, out.grade) == (185, 200, "gold")
    with pytest.raises(SchemeError, match="out of range 0–200"):
        get_scheme("rba").overall(201, None, None, None)


def test_bsci_rating_a_to_e() -> None:
    assert get_scheme("bsci").overall(None, None, "d", None).result == "conditional"
    with pytest.raises(SchemeError, match="grade 'F'"):
        get_scheme("bsci").overall(None, None, "F", None)


def test_smeta_has_no_overall_score() -> None:
    with pytest.raises(SchemeError, match="no overall score"):
        get_scheme("smeta").overall(80, None, None, None)


def test_sa8000_certified_in_grade_column() -> None:
    assert get_scheme("sa8000").overall(None, None, "已认证", None).result == "certified"


def test_red_line_event_rule() -> None:
    assert is_red_line_event("fire", "zero_tolerance", "open")
    assert not is_red_line_event("fire", "zero_tolerance", "closed")
    assert not is_red_line_event("wages_hours", "zero_tolerance", "open")
    assert not is_red_line_event("child_labour", "major", "open")
