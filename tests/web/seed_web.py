"""Deterministic seed data for the web tests (ORM rows inserted directly, so the web tests do
not depend on the importers' progress), and the users of every role."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from riskradar.domain import (Agreement, Alert, AlertEvent, AlertSource, Article, ArticleSupplierLink, ArticleTag,
                              Audit, AuditFinding, Feed, ImportBatch, JobRun, RiskSnapshot, Supplier)
from riskradar.domain.base import RED_LINES, ROLES
from riskradar.services.users import create_api_token, create_user

PASSWORD = "correct-horse-9"
COUNTRIES = [("CN", "广东"), ("CN", "江苏"), ("CN", "浙江"), ("VN", "Bac Ninh"), ("BD", "Dhaka"), ("IN", "Tamil Nadu"),
             ("DE", "Bayern"), ("US", "Texas"), ("MX", "Jalisco"), ("MY", "Penang")]
INDUSTRIES = ["electronics", "textiles", "chemicals", "plastics", "logistics", "metals"]
ZH_WORDS = ["华盛", "鼎新", "永泰", "宏达", "金桥", "瑞丰", "恒通", "博远", "嘉禾", "新宇", "立信", "明辉"]
EN_WORDS = ["Huasheng", "Dingxin", "Yongtai", "Hongda", "Jinqiao", "Ruifeng", "Hengtong", "Boyuan", "Jiahe",
            "Xinyu", "Lixin", "Minghui"]
TIERS = ["low", "medium", "high", "red_line"]


def seed_users(session: Session) -> dict[str, str]:
    """One user per role (username = role) and an API token for each; returns role -> token."""
    tokens = {}
    for role in ROLES:
        user = create_user(session, role, PASSWORD, role, language="en")
        tokens[role] = create_api_token(session, user, "tests")
    session.commit()
    return tokens


def seed_data(session: Session, n_suppliers: int = 48, seed: int = 3) -> dict[str, object]:
    """Suppliers with snapshots, audits, agreements, news with tags, alerts, feeds, batches, job runs."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    today = date.today()
    suppliers = []
    for i in range(n_suppliers):
        country, region = COUNTRIES[i % len(COUNTRIES)]
        s = Supplier(external_ref=f"S{i:04d}", name_zh=f"{ZH_WORDS[i % 12]}{['电子', '纺织', '化工', '塑胶', '物流', '金属'][i % 6]}{i:02d}有限公司",
                     name_en=f"{EN_WORDS[i % 12]} {INDUSTRIES[i % 6].title()} {i:02d} Co., Ltd.", country=country,
                     region=region, industry=INDUSTRIES[i % 6], annual_spend=float(rng.randint(1, 500) * 10000),
                     currency="CNY", criticality=["low", "medium", "high", "single_source"][i % 4],
                     aliases=[EN_WORDS[i % 12] + f"{i:02d}"], needs_rescore=False)
        session.add(s)
        suppliers.append(s)
    session.flush()
    for i, s in enumerate(suppliers):
        lb, ib = 1 + i % 5, 1 + (i * 3) % 5
        tier = TIERS[min(3, (lb * ib) // 6)]
        score = min(99.0, lb * ib * 4 + rng.random() * 3)
        prev = TIERS[(TIERS.index(tier) + 1 + i % 2) % 4] if i % 7 == 0 else None
        s.risk_score, s.risk_tier, s.scored_at = score, tier, now - timedelta(days=1)
        session.add(RiskSnapshot(supplier_id=s.id, computed_at=now - timedelta(days=40), score=max(1.0, score - 10),
                                 likelihood=lb * 18.0, impact=ib * 18.0, likelihood_band=max(1, lb - 1), impact_band=ib,
                                 tier=prev or tier, previous_tier=None, reasons=[]))
        session.add(RiskSnapshot(supplier_id=s.id, computed_at=now - timedelta(days=1), score=score,
                                 likelihood=lb * 19.0, impact=ib * 19.0, likelihood_band=lb, impact_band=ib, tier=tier,
                                 previous_tier=prev, categories={"fire": 30.0},
                                 reasons=[{"factor": "country", "value": s.country, "weight": 12.5,
                                           "en": f"Country risk of {s.country}", "zh": f"{s.country} 国家风险"},
                                          {"factor": "industry", "value": s.industry, "weight": 8.0,
                                           "en": f"Industry {s.industry}", "zh": f"行业 {s.industry}"},
                                          {"factor": "agreement", "value": "signed", "weight": -4.0,
                                           "en": "Signed CSR agreement", "zh": "已签署 CSR 协议"}]))
        if i % 3 == 0:
            audit = Audit(external_ref=f"A{i:04d}", supplier_id=s.id, scheme=["rba", "bsci", "smeta"][i % 3],
                          audit_date=today - timedelta(days=200 + 400 * (i % 2)), grade="C", result="conditional",
                          score=150.0, score_max=200.0)
            session.add(audit)
            session.flush()
            session.add(AuditFinding(audit_id=audit.id, supplier_id=s.id, finding_ref="F1", category="fire",
                                     severity="major", description="Blocked emergency exit in warehouse B",
                                     status="open", cap_due_date=today - timedelta(days=10)))
            session.add(AuditFinding(audit_id=audit.id, supplier_id=s.id, finding_ref="F2", category="wages_hours",
                                     severity="minor", description="Overtime above 60 h/week", status="closed",
                                     cap_due_date=today - timedelta(days=30), closed_date=today - timedelta(days=35)))
        if i % 4 != 3:
            session.add(Agreement(supplier_id=s.id, version="2024", status="signed" if i % 4 else "pending",
                                  signed_date=today - timedelta(days=300), expiry_date=today + timedelta(days=60),
                                  clauses_acknowledged=list(RED_LINES[: 2 + i % 3]), training_completed=bool(i % 2)))
    feed = Feed(url="https://news.example.org/rss.xml", name="Example News", lang="en", last_error="HTTP 503 at 2025-01-01")
    session.add(feed)
    articles = []
    for j in range(24):
        s = suppliers[j % 12]
        label = RED_LINES[j % 4]
        phrase = {"fire": "fire broke out", "child_labour": "child workers", "forced_labour": "withheld passports",
                  "bribery": "kickbacks"}[label]
        title = f"{s.name_en}: {phrase} at plant <b>{j}</b>"
        art = Article(title=title, summary=f"Reports say {phrase} were found & investigated.", url=f"https://news.example.org/{j}",
                      lang="en", published_at=now - timedelta(days=15 * j + 2), title_key=f"k{j}")
        session.add(art)
        session.flush()
        session.add(ArticleSupplierLink(article_id=art.id, supplier_id=s.id, matched_text=s.name_en, field="title",
                                        span_start=0, span_end=len(s.name_en)))
        session.add(ArticleTag(article_id=art.id, label=label, probability=0.91, decided=True,
                               evidence=[{"text": phrase, "weight": 1.2}], model_version="test"))
        articles.append(art)
    session.flush()
    alerts = []
    for k in range(6):
        s = suppliers[k]
        art = articles[k]
        alert = Alert(supplier_id=s.id, category=RED_LINES[k % 4], rule="news", dedupe_key=f"news:{s.id}:{k}",
                      status="new", severity="high", title=f"{RED_LINES[k % 4]} reported at {s.name_en}",
                      title_zh=f"{s.name_zh} 出现红线事件", evidence=[{"text": "fire broke out"}], source_count=1 + k)
        session.add(alert)
        session.flush()
        session.add(AlertSource(alert_id=alert.id, kind="article", ref_id=art.id, url=art.url, title=art.title,
                                evidence=[{"text": "fire broke out"}]))
        session.add(AlertEvent(alert_id=alert.id, action="created", note=None, data={}))
        alerts.append(alert)
    session.add(ImportBatch(kind="suppliers", source="cli", file_name="suppliers.csv", sha256="0" * 64, status="completed_with_errors",
                            rows_total=10, rows_created=8, rows_rejected=2,
                            errors=[{"row": 3, "column": "country", "reason": "unknown country 'Atlantis'"}]))
    session.add(JobRun(job="poll_feeds", slot="1", owner="test:1", status="ok", counts={"feeds": 1},
                       finished_at=now))
    session.commit()
    return {"suppliers": suppliers, "articles": articles, "alerts": alerts, "feed": feed}
