"""Properties of the risk model (hypothesis): monotonic in evidence, deterministic, red lines win."""

from __future__ import annotations

import copy
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskradar.domain.base import CRITICALITIES, FINDING_CATEGORIES, RED_LINES, SEVERITIES
from riskradar.scoring.model import AgreementInfo, AuditInfo, FindingGroup, NewsGroup, Scorer, SupplierInputs
from riskradar.scoring.reference import CATEGORIES, load_reference
from riskradar.scoring.tiers import tier_rank

TODAY = date(2026, 11, 20)
REF = load_reference()
SCORER = Scorer(REF, today=TODAY, spend_percentile=lambda v: None if v is None else min(1.0, v / 1e6))

days = st.integers(min_value=0, max_value=1500)
findings = st.builds(
    FindingGroup, category=st.sampled_from(FINDING_CATEGORIES), severity=st.sampled_from(SEVERITIES),
    status=st.sampled_from(["open", "closed"]), overdue=st.booleans(),
    audit_date=days.map(lambda d: TODAY - timedelta(days=d)), count=st.integers(1, 4),
)
audits = st.builds(AuditInfo, scheme=st.sampled_from(["rba", "smeta", "bsci", "sme"]),
                   audit_date=days.map(lambda d: TODAY - timedelta(days=d)),
                   result=st.sampled_from([None, "pass", "fail", "conditional"]),
                   score=st.one_of(st.none(), st.floats(0, 1000)))
agreements = st.one_of(st.none(), st.builds(
    AgreementInfo, status=st.sampled_from(["signed", "pending", "refused", "expired"]),
    expiry_date=st.one_of(st.none(), days.map(lambda d: TODAY + timedelta(days=d - 700))),
    clauses=st.lists(st.sampled_from(RED_LINES), unique=True).map(tuple)))
news = st.builds(NewsGroup, label=st.sampled_from(CATEGORIES), review_status=st.sampled_from(["unreviewed", "confirmed", "dismissed"]),
                 age_days=st.floats(0, 1500), weight=st.floats(0, 3), count=st.integers(1, 3))
suppliers = st.builds(
    SupplierInputs, supplier_id=st.just(1), country=st.sampled_from(["CN", "VN", "DE", "BD", "ZZ", None]),
    industry=st.sampled_from(["electronics", "garments", "services", "fireworks", "unknown thing", None]),
    annual_spend=st.one_of(st.none(), st.floats(0, 2e6)), criticality=st.sampled_from(CRITICALITIES),
    tier_level=st.integers(1, 3), audits=st.lists(audits, max_size=3), findings=st.lists(findings, max_size=5),
    agreement=agreements, news=st.lists(news, max_size=4),
)
red_line_event = st.builds(NewsGroup, label=st.sampled_from(RED_LINES), review_status=st.sampled_from(["unreviewed", "confirmed"]),
                           age_days=st.floats(0, 1500), weight=st.floats(0, 3), count=st.integers(1, 3))
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _not_lower(after, before):
    assert after.score >= before.score - 1e-9
    assert after.likelihood >= before.likelihood - 1e-9
    assert tier_rank(after.tier) >= tier_rank(before.tier) or before.tier == "red_line"
    for c in CATEGORIES:
        assert after.categories[c] >= before.categories[c] - 1e-9


@PROPS
@given(suppliers, red_line_event)
def test_adding_a_red_line_event_never_lowers_risk(s, event):
    before = SCORER.score(s)
    s2 = copy.deepcopy(s)
    s2.news.append(event)
    _not_lower(SCORER.score(s2), before)


@PROPS
@given(suppliers)
def test_signing_the_agreement_never_raises_risk(s):
    before = SCORER.score(s)
    s2 = copy.deepcopy(s)
    s2.agreement = AgreementInfo("signed", None, tuple(RED_LINES))
    _not_lower(before, SCORER.score(s2))


@PROPS
@given(suppliers, st.data())
def test_closing_a_finding_never_raises_risk(s, data):
    opened = [i for i, f in enumerate(s.findings) if f.status == "open"]
    if not opened:
        s = copy.deepcopy(s)
        s.findings.append(data.draw(findings.map(lambda f: FindingGroup(f.category, f.severity, "open", f.overdue, f.audit_date, f.count))))
        opened = [len(s.findings) - 1]
    i = data.draw(st.sampled_from(opened))
    before = SCORER.score(s)
    s2 = copy.deepcopy(s)
    f = s2.findings[i]
    s2.findings[i] = FindingGroup(f.category, f.severity, "closed", False, f.audit_date, f.count)
    _not_lower(before, SCORER.score(s2))


@PROPS
@given(suppliers)
def test_scores_are_deterministic(s):
    a = SCORER.score(s)
    b = Scorer(REF, today=TODAY, spend_percentile=SCORER.spend_percentile).score(copy.deepcopy(s))
    assert a == b


@PROPS
@given(suppliers, st.sampled_from(RED_LINES), st.floats(0, 700), st.sampled_from(["news", "alert"]))
def test_a_confirmed_red_line_event_always_yields_red_line(s, category, age, kind):
    s2 = copy.deepcopy(s)
    if kind == "news":
        s2.news.append(NewsGroup(category, "confirmed", age, 0.0, 1))
    else:
        s2.confirmed_alerts.append(category)
    result = SCORER.score(s2)
    assert result.tier == "red_line"
    assert result.reasons[0]["factor"] == "red_line"
