"""Demo supplier data: deterministic, realistic in shape, loaded through the real importer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from riskradar.countries import to_alpha2
from riskradar.db import Database
from riskradar.demo.loader import load_demo
from riskradar.demo.suppliers import generate_suppliers
from riskradar.domain import ImportBatch, Supplier
from riskradar.names import has_cjk
from riskradar.settings import Settings


@pytest.fixture(scope="module")
def demo_rows() -> list[dict]:
    return generate_suppliers(2400, 7)


def test_same_seed_gives_the_same_suppliers(demo_rows: list[dict]) -> None:
    assert generate_suppliers(2400, 7) == demo_rows
    assert generate_suppliers(300, 8) != demo_rows[:300]


def test_size_countries_and_chinese_share(demo_rows: list[dict]) -> None:
    countries = Counter(r["country"] for r in demo_rows)
    assert len(demo_rows) == 2400
    assert len({r["external_ref"] for r in demo_rows}) == 2400
    assert len(countries) >= 20
    assert all(to_alpha2(code) == code for code in countries)
    assert 0.28 < countries["CN"] / 2400 < 0.42


def test_chinese_suppliers_have_chinese_names_short_names_and_english_names(demo_rows: list[dict]) -> None:
    chinese = [r for r in demo_rows if r["country"] == "CN"]
    assert all(has_cjk(r["name_zh"]) and r["name_zh"].endswith("公司") for r in chinese)
    assert all(has_cjk(r["short_name"]) and 2 <= len(r["short_name"]) <= 6 for r in chinese)
    assert all(r["short_name"][:2] in r["name_zh"] for r in chinese)
    assert sum(1 for r in chinese if r["name_en"].endswith("Co., Ltd.")) > 0.8 * len(chinese)
    provinces = Counter(r["region"] for r in chinese)
    assert {"广东", "江苏", "浙江"} <= set(provinces)


def test_other_countries_have_local_style_names(demo_rows: list[dict]) -> None:
    def names(code: str) -> list[str]:
        return [r["name_en"] for r in demo_rows if r["country"] == code]

    assert any("Công ty TNHH" in a for r in demo_rows if r["country"] == "VN" for a in r["aliases"])
    assert all(n.endswith(("Pvt. Ltd.", "Limited")) for n in names("IN"))
    assert all("C.V." in n for n in names("MX"))
    assert all(n.endswith(("GmbH", "GmbH & Co. KG", "AG")) for n in names("DE"))


def test_industries_tiers_criticality_and_long_tail_spend(demo_rows: list[dict]) -> None:
    industries = {r["industry"] for r in demo_rows}
    assert {"electronics", "apparel", "chemicals", "metals", "plastics", "packaging", "logistics", "textiles",
            "furniture", "toys", "auto parts"} <= industries
    refs = {r["external_ref"] for r in demo_rows}
    tier2 = [r for r in demo_rows if r["tier_level"] == 2]
    assert 0.05 < len(tier2) / 2400 < 0.2
    assert all(r["parent_ref"] in refs and r["parent_ref"] != r["external_ref"] for r in tier2)
    assert "single_source" in {r["criticality"] for r in demo_rows}
    usd = sorted((r["annual_spend"] for r in demo_rows if r["annual_spend"] != "" and r["currency"] == "USD"),
                 reverse=True)
    top_decile = sum(usd[: len(usd) // 10])
    assert top_decile > 0.5 * sum(usd)  # a long tail: the top 10% of suppliers carry most of the spend


def test_load_demo_imports_through_the_real_importer(db: Database, settings: Settings) -> None:
    result = load_demo(db, settings, n_suppliers=2400, seed=7)
    summary = result["suppliers"]
    assert (summary["status"], summary["created"], summary["rejected"]) == ("completed", 2400, 0)
    with db.scope() as session:
        batch = session.get(ImportBatch, summary["batch_id"])
        assert (batch.kind, batch.source) == ("suppliers", "demo")
        assert session.scalar(select(func.count(Supplier.id))) == 2400
        assert session.scalar(select(func.count(func.distinct(Supplier.country)))) >= 20
        assert session.scalar(select(func.count()).where(Supplier.parent_id.is_not(None))) > 100
        huayang_like = session.scalars(select(Supplier).where(Supplier.country == "CN").limit(1)).one()
        assert huayang_like.name_zh and huayang_like.short_name and huayang_like.aliases
    assert settings.data_dir in Path(batch.stored_path).parents  # the demo CSV is retained like any import
    assert result["errors"] == {}, result["errors"]
    if result.get("admin") is not None:  # the web helper's ensure_demo_admin created the first admin
        assert result["admin"]["username"] and len(result["admin"]["password"]) >= 12


def test_loading_the_demo_twice_changes_no_supplier(db: Database, settings: Settings) -> None:
    load_demo(db, settings, n_suppliers=200, seed=3)
    again = load_demo(db, settings, n_suppliers=200, seed=3)["suppliers"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 200)
