"""Page behaviour: dashboard content, risk-map drill, export, evidence highlighting, tag review,
alert triage, onboarding, admin forms, login throttling and the language switch."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from riskradar.db import Database
from riskradar.domain import Alert, ArticleTag, Feed, RiskSnapshot, Supplier, TrainingExample, User
from tests.web.conftest import csrf_from, login


def test_dashboard_shows_tiles_and_embeds_every_chart(login_as: Any, db: Database) -> None:
    html = login_as("viewer").get("/").get_data(as_text=True)
    with db.scope() as s:
        red = s.scalar(select(Supplier).where(Supplier.risk_tier == "red_line").limit(1))
        n_red = len(s.scalars(select(Supplier.id).where(Supplier.risk_tier == "red_line")).all())
    assert red is not None
    for chart in ("matrix", "bubble", "world", "by_industry", "by_region", "events"):
        assert f'id="fig-{chart}"' in html
    assert f"<strong>{n_red}</strong>" in html
    assert 'data-drill="/suppliers' in html
    assert "cdn." not in html and "https://" not in html.split("<main")[0]


def test_dashboard_filters_restrict_the_numbers(login_as: Any) -> None:
    client = login_as("viewer")
    all_html = client.get("/api/v1/dashboard").get_json()
    de = client.get("/api/v1/dashboard?country=DE").get_json()
    assert sum(de["tiers"].values()) < sum(all_html["tiers"].values())
    assert {c["country"] for c in de["countries"]} == {"DE"}


def test_risk_map_cell_drills_to_exactly_the_suppliers_in_that_cell(login_as: Any, db: Database) -> None:
    client = login_as("viewer")
    cells = client.get("/api/v1/dashboard").get_json()["matrix"]
    cell = max(cells, key=lambda c: c["count"])
    listing = client.get(f"/api/v1/suppliers?lb={cell['likelihood_band']}&ib={cell['impact_band']}&per_page=200").get_json()
    assert listing["total"] == cell["count"] > 0
    with db.scope() as s:
        for item in listing["items"]:
            latest = s.scalar(select(RiskSnapshot).where(RiskSnapshot.supplier_id == item["id"])
                              .order_by(RiskSnapshot.id.desc()).limit(1))
            assert (latest.likelihood_band, latest.impact_band) == (cell["likelihood_band"], cell["impact_band"])
    page = client.get(f"/suppliers?lb={cell['likelihood_band']}&ib={cell['impact_band']}").get_data(as_text=True)
    assert 'id="cell-filter"' in page


def test_supplier_search_sort_and_pagination(login_as: Any) -> None:
    client = login_as("viewer")
    first = client.get("/api/v1/suppliers?per_page=10&sort=-score").get_json()
    second = client.get("/api/v1/suppliers?per_page=10&sort=-score&page=2").get_json()
    scores = [i["risk_score"] for i in first["items"] + second["items"]]
    assert scores == sorted(scores, reverse=True)
    assert not {i["ref"] for i in first["items"]} & {i["ref"] for i in second["items"]}
    found = client.get("/api/v1/suppliers?q=S0007").get_json()
    assert [i["ref"] for i in found["items"]] == ["S0007"]
    html = client.get("/suppliers?q=S0007").get_data(as_text=True)
    assert "S0007" in html and "S0008" not in html


def test_export_csv_and_xlsx_hold_the_filtered_rows(login_as: Any) -> None:
    client = login_as("viewer")
    response = client.get("/suppliers/export.csv?country=CN")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["country"] for r in rows} == {"CN"}
    xlsx = client.get("/suppliers/export.xlsx?country=CN")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.values)
    assert values[0][0] == "external_ref" and len(values) - 1 == len(rows)
    assert client.get("/suppliers/export.pdf").status_code == 404


def test_profile_escapes_news_text_and_marks_the_evidence(login_as: Any) -> None:
    html = login_as("viewer").get("/suppliers/S0000").get_data(as_text=True)
    assert "&lt;b&gt;" in html and "<b>0</b>" not in html
    assert "<mark>child workers</mark>" in html
    assert "&amp; investigated" in html


def test_tag_confirm_and_dismiss_record_review_and_training_example(login_as: Any, db: Database) -> None:
    client = login_as("csr_lead")
    with db.scope() as s:
        tag = s.scalar(select(ArticleTag).order_by(ArticleTag.id).limit(1))
        tag_id = tag.id
    token = csrf_from(client, "/suppliers/S0000")
    response = client.post(f"/suppliers/S0000/tags/{tag_id}/review", data={"action": "dismiss", "csrf_token": token})
    assert response.status_code == 302
    with db.scope() as s:
        assert s.get(ArticleTag, tag_id).review_status == "dismissed"
        example = s.scalar(select(TrainingExample).where(TrainingExample.article_id == s.get(ArticleTag, tag_id).article_id))
        assert example.negative_labels == [s.get(ArticleTag, tag_id).label]
    bad = client.post(f"/suppliers/S0000/tags/{tag_id}/review", data={"action": "maybe", "csrf_token": token})
    assert bad.status_code == 400 and "confirm or dismiss" in bad.get_data(as_text=True)
    assert client.post("/suppliers/S0000/tags/999999/review",
                       data={"action": "confirm", "csrf_token": token}).status_code == 404


def test_alert_triage_from_the_page_is_recorded_in_history(login_as: Any, db: Database, seeded: dict[str, Any]) -> None:
    client = login_as("csr_lead")
    alert_id = seeded["alert_ids"][0]
    token = csrf_from(client, f"/alerts/{alert_id}")
    assert client.post(f"/alerts/{alert_id}/triage", data={"action": "acknowledge", "csrf_token": token}).status_code == 302
    assert client.post(f"/alerts/{alert_id}/triage",
                       data={"action": "resolve", "note": "", "csrf_token": token}).status_code == 400
    assert client.post(f"/alerts/{alert_id}/triage",
                       data={"action": "resolve", "note": "supplier fixed the exits", "csrf_token": token}).status_code == 302
    with db.scope() as s:
        alert = s.get(Alert, alert_id)
        assert alert.status == "resolved" and alert.resolution_note == "supplier fixed the exits"
    html = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "supplier fixed the exits" in html and "csr_lead" in html


def test_onboarding_check_page_shows_a_decision(login_as: Any) -> None:
    client = login_as("buyer")
    token = csrf_from(client, "/check")
    response = client.post("/check", data={"name": "Huasheng Electronics 00 Co., Ltd.", "country": "CN",
                                           "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="check-result"' in html and "decision-" in html
    empty = client.post("/check", data={"name": "  ", "csrf_token": token})
    assert empty.status_code == 400 and "name" in empty.get_data(as_text=True)
    bad_country = client.post("/check", data={"name": "Acme", "country": "Atlantis", "csrf_token": token})
    assert bad_country.status_code == 400


def test_admin_adds_and_removes_a_feed(login_as: Any, db: Database) -> None:
    client = login_as("admin")
    token = csrf_from(client, "/admin/feeds")
    added = client.post("/admin/feeds", data={"url": "https://feeds.example.com/csr.xml", "name": "CSR",
                                              "credibility": "0.8", "csrf_token": token})
    assert added.status_code == 302
    bad = client.post("/admin/feeds", data={"url": "ftp://x", "csrf_token": token})
    assert bad.status_code == 400
    with db.scope() as s:
        feed_id = s.scalar(select(Feed.id).where(Feed.url == "https://feeds.example.com/csr.xml"))
    assert client.post(f"/admin/feeds/{feed_id}/delete", data={"csrf_token": token}).status_code == 302
    with db.scope() as s:
        assert s.get(Feed, feed_id) is None
    assert "HTTP 503" in client.get("/admin/feeds").get_data(as_text=True)


def test_admin_creates_a_user_and_sees_the_password_once(login_as: Any) -> None:
    client = login_as("admin")
    token = csrf_from(client, "/admin/users")
    response = client.post("/admin/users", data={"op": "create", "username": "li.wei", "role": "buyer",
                                                 "language": "zh", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="new-password"' in html
    duplicate = client.post("/admin/users", data={"op": "create", "username": "li.wei", "role": "buyer",
                                                  "csrf_token": token})
    assert duplicate.status_code == 400 and "already exists" in duplicate.get_data(as_text=True)
    bad_role = client.post("/admin/users", data={"op": "create", "username": "x", "role": "king", "csrf_token": token})
    assert bad_role.status_code == 400


def test_upload_form_reports_a_bad_kind_and_a_missing_file(login_as: Any) -> None:
    client = login_as("procurement")
    token = csrf_from(client, "/admin/imports")
    no_kind = client.post("/admin/imports", data={"kind": "invoices", "csrf_token": token})
    assert no_kind.status_code == 400 and "kind" in no_kind.get_data(as_text=True)
    no_file = client.post("/admin/imports", data={"kind": "suppliers", "csrf_token": token})
    assert no_file.status_code == 400 and "no file" in no_file.get_data(as_text=True)


def test_login_is_rate_limited_per_account(app: Flask, db: Database) -> None:
    client = app.test_client()
    for _ in range(5):
        assert login(client, "viewer", "wrong-password").status_code in (401, 429)
    locked = login(client, "viewer")  # right password, but locked now
    assert locked.status_code == 429
    with db.scope() as s:
        assert s.scalar(select(User).where(User.username == "viewer")).locked_until is not None


def test_login_rejects_open_redirects(app: Flask) -> None:
    client = app.test_client()
    token = csrf_from(client)
    response = client.post("/login?next=https://evil.example/", data={"username": "viewer",
                                                                     "password": "correct-horse-9", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_language_follows_the_browser_then_the_switch_and_is_remembered(app: Flask, db: Database) -> None:
    client = app.test_client()
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    login(client, "viewer")  # the viewer's stored preference is English
    assert "Dashboard" in client.get("/").get_data(as_text=True)
    token = csrf_from(client, "/")
    switched = client.post("/lang", data={"lang": "zh", "next": "/suppliers", "csrf_token": token})
    assert switched.status_code == 302 and switched.headers["Location"] == "/suppliers"
    assert "供应商" in client.get("/suppliers").get_data(as_text=True)
    with db.scope() as s:
        assert s.scalar(select(User).where(User.username == "viewer")).language == "zh"
    fresh = app.test_client()
    login(fresh, "viewer")
    assert "总览" in fresh.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    bad = client.post("/lang", data={"lang": "fr", "csrf_token": token})
    assert bad.status_code == 400


def test_every_message_key_used_in_templates_exists_in_both_languages() -> None:
    import re
    from pathlib import Path

    from riskradar.web.messages import MESSAGES

    root = Path(__file__).resolve().parents[2] / "riskradar" / "web"
    used = set()
    for path in list((root / "templates").rglob("*.html")) + list(root.glob("*.py")):
        used |= set(re.findall(r"\bt\(['\"]([a-z_]+\.[a-z_.0-9-]+)['\"]", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in MESSAGES and not k.endswith(("_", ".")))
    assert "login.failed" in used
    assert not missing, missing
    assert all(en and zh for en, zh in MESSAGES.values())


def test_upload_over_the_size_limit_gets_413(settings: Any, db: Database, seeded: dict[str, Any]) -> None:
    from riskradar.web import create_app

    small = create_app(settings.replace(max_upload_bytes=1000), db)
    response = small.test_client().post(
        "/api/v1/imports", headers={"Authorization": f"Bearer {seeded['tokens']['admin']}"},
        data={"kind": "suppliers", "file": (io.BytesIO(b"x" * 5000), "big.csv")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "1000 bytes" in response.get_json()["error"]["message"]
