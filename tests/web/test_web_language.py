"""The zh UI shows vocabulary (industries, countries, tiers) and alert titles in Chinese, the en UI in English."""

from __future__ import annotations

import json
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from riskradar.db import Database
from riskradar.domain import Alert, AlertSource, Supplier
from tests.web.conftest import csrf_from


def _in(client: FlaskClient, lang: str) -> FlaskClient:
    client.post("/lang", data={"lang": lang, "next": "/", "csrf_token": csrf_from(client, "/")})
    return client


def _figure(html: str, name: str) -> dict[str, Any]:
    m = re.search(rf'<script type="application/json" id="fig-{name}">(.*?)</script>', html, re.S)
    assert m, name
    return json.loads(m.group(1))


def test_zh_dashboard_charts_name_industries_and_countries_in_chinese(login_as: Any) -> None:
    html = _in(login_as("viewer"), "zh").get("/").get_data(as_text=True)
    industries = {y for trace in _figure(html, "by_industry")["data"] for y in trace["y"]}
    assert "电子" in industries and "纺织" in industries
    assert not industries & {"electronics", "textiles", "chemicals"}
    assert "中国" in json.dumps(_figure(html, "world"), ensure_ascii=False)
    assert "中国 (CN)" in html  # the country filter


def test_en_dashboard_charts_keep_english_names(login_as: Any) -> None:
    html = _in(login_as("viewer"), "en").get("/").get_data(as_text=True)
    industries = {y for trace in _figure(html, "by_industry")["data"] for y in trace["y"]}
    assert "Electronics" in industries and "电子" not in industries


def test_en_pages_name_chinese_provinces_in_english(login_as: Any) -> None:
    client = _in(login_as("viewer"), "en")
    html = client.get("/").get_data(as_text=True)
    regions = {y for trace in _figure(html, "by_region")["data"] for y in trace["y"]}
    assert {"Guangdong", "Jiangsu", "Tamil Nadu"} <= regions and not regions & {"广东", "江苏"}
    assert '<option value="广东" >Guangdong</option>' in html.replace("selected", "")
    assert "Guangdong" in client.get("/suppliers?country=CN").get_data(as_text=True)


def test_zh_pages_keep_chinese_province_names(login_as: Any) -> None:
    html = _in(login_as("viewer"), "zh").get("/").get_data(as_text=True)
    regions = {y for trace in _figure(html, "by_region")["data"] for y in trace["y"]}
    assert "广东" in regions and "Guangdong" not in regions


def test_zh_supplier_list_and_profile_show_chinese_industry_and_country(login_as: Any, db: Database) -> None:
    client = _in(login_as("viewer"), "zh")
    listing = client.get("/suppliers?industry=electronics").get_data(as_text=True)
    assert "<td>电子</td>" in listing and "<td>electronics</td>" not in listing
    with db.scope() as s:
        ref = s.scalar(select(Supplier.external_ref).where(Supplier.country == "CN", Supplier.industry == "electronics"))
    profile = client.get(f"/suppliers/{ref}").get_data(as_text=True)
    assert "中国" in profile and "· 电子" in profile


def test_free_text_industry_is_matched_loosely(app: Any) -> None:
    from riskradar.web.i18n import label

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert label("industry", "Auto Parts") == "汽车零部件"
        assert label("industry", " APPAREL ") == "服装"
        assert label("industry", "widgets") == "widgets"


def test_alert_pages_use_the_title_and_evidence_of_the_ui_language(login_as: Any, db: Database) -> None:
    with db.scope() as s:
        sup = s.scalar(select(Supplier).limit(1))
        alert = Alert(supplier_id=sup.id, category="tier_change", rule="tier_change", dedupe_key="lang-test",
                      status="new", severity="critical",
                      title="Risk tier raised: X — Risk tier low → red line (score 88)",
                      title_zh="风险等级上升：X — 风险等级 低风险 → 红线（风险分 88）",
                      evidence=[{"text": "Fire reported", "zh": "火灾报道"}])
        s.add(alert)
        s.flush()
        s.add(AlertSource(alert_id=alert.id, kind="snapshot", ref_id=1, title="Risk tier low → red line (score 88)",
                          evidence=[{"text": "Fire reported", "zh": "火灾报道",
                                     "title_zh": "风险等级 低风险 → 红线（风险分 88）"}]))
        alert_id = alert.id
    client = _in(login_as("csr_lead"), "zh")
    inbox = client.get("/alerts?category=tier_change").get_data(as_text=True)
    assert "风险等级 低风险 → 红线" in inbox and "Risk tier low" not in inbox
    detail = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "火灾报道" in detail and "Fire reported" not in detail and "危急" in detail
    assert "Risk tier" not in detail and "red line" not in detail
    detail_en = _in(client, "en").get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Risk tier low → red line (score 88)" in detail_en and "Fire reported" in detail_en
    assert "火灾报道" not in detail_en


def test_counts_of_one_are_singular(app: Any) -> None:
    from riskradar.web.i18n import t

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert t("alerts.sources_n", n=1) == "1 source" and t("alerts.sources_n", n=3) == "3 sources"
        assert t("sup.findings_n", n=1) == "1 finding"
