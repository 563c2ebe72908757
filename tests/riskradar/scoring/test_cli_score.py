"""``riskradar score``, ``riskradar supplier show`` and ``riskradar check`` through click, on a real database."""

from __future__ import annotations

import json

from click.testing import CliRunner

from riskradar.cli import main
from scoring_builders import build  # noqa: F401 - the fixture


def run(settings, *args):
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": "test-secret"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_score_json_reports_the_run(settings, session, build):
    build.supplier()
    build.supplier(country="DE", industry="services")
    session.commit()
    result = run(settings, "score", "--full", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["suppliers_scored"] == 2 and data["full"] is True
    assert sum(data["tiers"].values()) == 2 and "changes" in data


def test_score_incremental_human_output(settings, session, build):
    build.supplier()
    session.commit()
    result = run(settings, "score")
    assert result.exit_code == 0
    assert "scored 1 supplier(s) (incremental)" in result.output


def test_supplier_show_json_has_tier_actions_breakdown_and_history(settings, session, build):
    sup = build.supplier()
    build.agreement(sup)
    session.commit()
    run(settings, "score", "--full")
    result = run(settings, "supplier", "show", sup.external_ref, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["supplier"]["external_ref"] == sup.external_ref
    assert data["tier"]["actions_en"] and data["tier"]["actions_zh"]
    assert set(data["current"]["breakdown"]) >= {"child_labour", "forced_labour", "bribery", "fire"}
    assert data["history"] and data["agreement"]["status"] == "signed"
    human = run(settings, "supplier", "show", sup.external_ref, "--lang", "zh")
    assert human.exit_code == 0 and "required actions" in human.output


def test_supplier_show_unknown_ref_fails(settings):
    result = run(settings, "supplier", "show", "NOPE-1")
    assert result.exit_code != 0 and "no supplier" in result.output


def test_check_json_shape(settings, session, build):
    build.supplier(name_zh="宁波恒达纺织有限公司", name_en=None, industry="textiles")
    session.commit()
    result = run(settings, "check", "--name", "宁波恒达纺织", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["decision"] in {"approve", "conditional", "reject"}
    assert isinstance(data["reasons"], list) and isinstance(data["conditions"], list)
    assert data["matches"][0]["match_score"] >= 92 and "risk_tier" in data["matches"][0]


def test_check_human_output_lists_conditions(settings, session):
    result = run(settings, "check", "--name", "Chittagong Knit Ltd", "--country", "BD", "--industry", "garments")
    assert result.exit_code == 0
    assert "decision: CONDITIONAL" in result.output and "[sign_agreement]" in result.output


def test_check_bad_country_is_a_clear_error(settings):
    result = run(settings, "check", "--name", "Some Vendor", "--country", "Atlantis")
    assert result.exit_code != 0 and "Atlantis" in result.output
