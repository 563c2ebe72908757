"""Real Chromium (Debian's /usr/bin/chromium driven by Playwright) against the app under waitress:
log in, charts render with no console error and no request leaving 127.0.0.1, drill from the
risk map into a supplier, run an onboarding check, switch language. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.web.seed_web import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed (apt install chromium)")]


@pytest.fixture
def page(live_server: str) -> Iterator[Any]:
    """A Chromium page that records console errors and every request leaving the app."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        pg = context.new_page()
        pg.console_errors = []  # type: ignore[attr-defined]
        pg.outside_requests = []  # type: ignore[attr-defined]
        pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
        pg.on("request", lambda r: None if r.url.startswith((live_server, "data:", "blob:"))
              else pg.outside_requests.append(r.url))
        try:
            yield pg
        finally:
            context.close()
            browser.close()


def _login(page: Any, base: str, username: str = "admin") -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/")


def _charts_rendered(page: Any, ids: list[str]) -> None:
    for chart in ids:
        page.wait_for_selector(f"#chart-{chart}[data-rendered='1']", state="attached", timeout=20000)
        assert page.locator(f"#chart-{chart} .main-svg").count() > 0, chart


def test_dashboard_charts_render_offline_and_drill_into_a_supplier(page: Any, live_server: str) -> None:
    _login(page, live_server)
    _charts_rendered(page, ["matrix", "world", "by_industry", "by_region", "events"])
    page.wait_for_timeout(500)
    # The base map (land and country borders) comes from the locally served topojson.
    border_path = page.eval_on_selector("#chart-world .layer.countries path", "p => (p.getAttribute('d') || '').length")
    assert border_path > 10000, "the world map base layer did not load (topojson)"
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    # Click the first non-empty risk-map cell: its text label is the supplier count.
    # (plotly's drag layer sits on top, so click where a user would: at the label's position).
    box = page.locator("#chart-matrix g.heatmaplayer text", has_text="10").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/suppliers?*lb=*")
    assert page.locator("#cell-filter").is_visible()
    rows = page.locator("#supplier-table tbody tr")
    assert rows.count() == 10
    page.screenshot(path=str(ARTIFACTS / "suppliers-cell.png"), full_page=True)
    rows.first.locator("a").first.click()
    page.wait_for_selector("#supplier-name")
    _charts_rendered(page, ["breakdown", "history"])
    page.screenshot(path=str(ARTIFACTS / "supplier.png"), full_page=True)
    assert page.console_errors == []
    assert page.outside_requests == []


def test_onboarding_check_and_language_switch(page: Any, live_server: str) -> None:
    _login(page, live_server, "buyer")
    page.goto(f"{live_server}/check")
    page.fill("input[name=name]", "Huasheng Electronics 00 Co., Ltd.")
    page.fill("input[name=country]", "CN")
    page.click("#check-form button[type=submit]")
    result = page.locator("#check-result")
    result.wait_for()
    assert "Decision" in result.inner_text()
    page.screenshot(path=str(ARTIFACTS / "onboarding.png"), full_page=True)
    page.click("#lang-switch")
    page.wait_for_selector("html[lang='zh-CN']")
    assert "供应商准入检查" in page.inner_text("h1")
    page.goto(f"{live_server}/")
    assert "供应链风险总览" in page.inner_text("h1")
    _charts_rendered(page, ["matrix"])
    page.screenshot(path=str(ARTIFACTS / "dashboard-zh.png"), full_page=True)
    assert page.console_errors == []
    assert page.outside_requests == []
