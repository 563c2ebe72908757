"""Builders for scoring tests: real rows in the migrated test database.

A plain module (not a conftest.py, whose module name would shadow tests/conftest.py for tests that
`from conftest import ...`); test files import the ``build`` fixture from here.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.orm import Session

from riskradar.domain import (
    Agreement,
    Alert,
    Article,
    ArticleSource,
    ArticleSupplierLink,
    ArticleTag,
    Audit,
    AuditFinding,
    Feed,
    Supplier,
)
from riskradar.domain.base import RED_LINES

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
_seq = itertools.count(1)


class Build:
    """Creates suppliers and their evidence; every method flushes and returns the row."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._feed: Feed | None = None

    def supplier(self, **kw: Any) -> Supplier:
        n = next(_seq)
        data = {"external_ref": f"S{n:05d}", "name_zh": f"测试供应商{n}有限公司", "name_en": f"Test Supplier {n} Co., Ltd.",
                "country": "CN", "industry": "electronics", "annual_spend": 100000.0, "criticality": "medium"}
        data.update(kw)
        sup = Supplier(**data)
        self.s.add(sup)
        self.s.flush()
        return sup

    def audit(self, supplier: Supplier, *, scheme: str = "rba", audit_date: date | None = None, result: str = "pass",
              findings: list[tuple[str, str, str]] = (), cap_due: date | None = None, **kw: Any) -> Audit:
        n = next(_seq)
        a = Audit(external_ref=f"A{n}", supplier_id=supplier.id, scheme=scheme,
                  audit_date=audit_date or TODAY - timedelta(days=60), result=result, **kw)
        self.s.add(a)
        self.s.flush()
        for i, (cat, sev, status) in enumerate(findings):
            self.s.add(AuditFinding(audit_id=a.id, supplier_id=supplier.id, finding_ref=f"F{n}-{i}", category=cat,
                                    severity=sev, status=status, cap_due_date=cap_due))
        self.s.flush()
        return a

    def agreement(self, supplier: Supplier, *, status: str = "signed", clauses: tuple[str, ...] = RED_LINES,
                  version: str = "v1", expiry: date | None = None) -> Agreement:
        ag = Agreement(supplier_id=supplier.id, version=version, status=status,
                       signed_date=TODAY - timedelta(days=30) if status == "signed" else None,
                       expiry_date=expiry, clauses_acknowledged=list(clauses))
        self.s.add(ag)
        self.s.flush()
        return ag

    def feed(self) -> Feed:
        if self._feed is None:
            self._feed = Feed(url=f"https://news.example.org/{next(_seq)}.xml", name="example", credibility=0.8)
            self.s.add(self._feed)
            self.s.flush()
        return self._feed

    def article(self, supplier: Supplier, label: str, *, probability: float = 0.9, review_status: str = "unreviewed",
                age_days: float = 3, title: str | None = None) -> Article:
        n = next(_seq)
        art = Article(title=title or f"{supplier.name_zh} {label} 事件 {n}", title_key=f"k{n}",
                      published_at=NOW - timedelta(days=age_days))
        self.s.add(art)
        self.s.flush()
        self.s.add(ArticleSource(article_id=art.id, feed_id=self.feed().id, entry_key=f"e{n}"))
        self.s.add(ArticleSupplierLink(article_id=art.id, supplier_id=supplier.id, matched_text=supplier.name_zh or ""))
        self.s.add(ArticleTag(article_id=art.id, label=label, probability=probability, decided=probability >= 0.5,
                              review_status=review_status))
        self.s.flush()
        return art

    def alert(self, supplier: Supplier, category: str, status: str = "confirmed") -> Alert:
        al = Alert(supplier_id=supplier.id, category=category, rule="news", dedupe_key=f"d{next(_seq)}",
                   status=status, title="alert")
        self.s.add(al)
        self.s.flush()
        return al


@pytest.fixture
def build(session: Session) -> Build:
    return Build(session)
