"""Audit import: CSV / XLSX / JSON layouts, normalisation, idempotency, and every bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_fixtures import EXAMPLES, add_suppliers, write_csv
from riskradar.domain.audits import Audit, AuditFinding, SmeIndicatorScore
from riskradar.domain.suppliers import Supplier
from riskradar.services.audits import open_red_line_findings, overdue_findings
from riskradar.settings import Settings
from scrapers.audits import import_audits

HEADER = ["audit_ref", "supplier_ref", "scheme", "audit_date", "score", "finding_ref", "category", "severity",
          "description", "status", "cap_due_date"]


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _errors_by_column(batch) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {e["column"]: e for e in batch.errors}


def test_csv_one_row_per_finding(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    batch = import_audits(session, settings, EXAMPLES / "audits.csv")
    session.commit()
    assert batch.status == "completed", batch.errors
    assert (batch.rows_total, batch.rows_created, batch.rows_rejected) == (10, 10, 0)
    assert _count(session, Audit) == 5 and _count(session, AuditFinding) == 10
    rba = session.scalar(select(Audit).where(Audit.external_ref == "RBA-2024-001"))
    assert (rba.scheme, rba.scheme_raw, rba.score, rba.score_max) == ("rba", "RBA VAP", 152, 200)
    assert rba.raw["auditor"] == "ELEVATE"
    f2 = session.scalar(select(AuditFinding).where(AuditFinding.audit_id == rba.id, AuditFinding.finding_ref == "F2"))
    assert (f2.category, f2.category_raw, f2.severity, f2.severity_raw) == (
        "forced_labour", "Freely chosen employment", "zero_tolerance", "Priority")
    smeta = session.scalar(select(Audit).where(Audit.external_ref == "SMETA-2024-017"))
    assert smeta.audit_date == date(2024, 3, 2) and smeta.score is None
    by_ref = {f.finding_ref: f for f in smeta.findings}
    assert by_ref["NC-1"].category == "fire"  # H&S pillar refined by "安全出口被货物堵塞"
    assert by_ref["GP-1"].status == "closed"  # good practice needs no corrective action
    customer = session.scalar(select(Audit).where(Audit.external_ref == "CUS-2024-310"))
    assert customer.scheme == "customer" and customer.audit_date == date(2024, 6, 3)
    assert customer.findings[0].category == "bribery" and customer.findings[0].severity == "major"


def test_reimport_changes_nothing(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    import_audits(session, settings, EXAMPLES / "audits.csv")
    session.commit()
    session.execute(Supplier.__table__.update().values(needs_rescore=False))
    session.commit()
    again = import_audits(session, settings, EXAMPLES / "audits.csv")
    session.commit()
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 10)
    assert _count(session, AuditFinding) == 10
    assert not session.scalar(select(func.count()).where(Supplier.needs_rescore.is_(True)))


def test_imported_suppliers_are_marked_for_rescoring(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    import_audits(session, settings, EXAMPLES / "audits.csv")
    session.commit()
    marked = set(session.scalars(select(Supplier.external_ref).where(Supplier.needs_rescore.is_(True))))
    assert marked == {"SUP-000001", "SUP-000002", "SUP-000003", "SUP-000004", "SUP-000005"}


def test_changed_finding_is_updated(session: Session, settings: Settings, tmp_path: Path) -> None:
    add_suppliers(session)
    row = ["A-1", "SUP-000001", "RBA", "2024-01-10", 150, "F1", "Child labour", "Priority", "aged 15", "open", "2024-02-01"]
    import_audits(session, settings, write_csv(tmp_path / "a.csv", HEADER, [row]))
    session.commit()
    assert len(open_red_line_findings(session)) == 1
    closed = row[:9] + ["closed", "2024-02-01"]
    batch = import_audits(session, settings, write_csv(tmp_path / "b.csv", HEADER, [closed]))
    session.commit()
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    assert session.scalar(select(AuditFinding.status)) == "closed"
    assert open_red_line_findings(session) == []


def test_xlsx_audits_and_findings_sheets_with_sme_indicators(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    batch = import_audits(session, settings, EXAMPLES / "audits.xlsx")
    session.commit()
    assert batch.status == "completed", batch.errors
    assert (batch.rows_total, batch.rows_created) == (61, 61)  # 3 audits + 4 findings + 54 indicator rows
    bsci = session.scalar(select(Audit).where(Audit.external_ref == "BSCI-2024-101"))
    assert (bsci.grade, bsci.result) == ("D", "conditional")
    assert {f.category for f in bsci.findings} == {"wages_hours", "forced_labour"}
    sa = session.scalar(select(Audit).where(Audit.external_ref == "SA-2024-020"))
    assert sa.result == "not_certified" and {f.category for f in sa.findings} == {"discrimination", "fire"}
    sme_audit = session.scalar(select(Audit).where(Audit.external_ref == "SME-2024-012"))
    points = session.scalars(select(SmeIndicatorScore.points).where(SmeIndicatorScore.audit_id == sme_audit.id)).all()
    assert len(points) == 54
    assert sme_audit.score == round(sum(points), 2) and sme_audit.score_max == 1000
    from riskradar import sme

    assert sme_audit.grade == sme.rate(sme_audit.score) and sme_audit.valid_until == date(2025, 8, 19)


def test_xlsx_single_sheet_one_row_per_finding(session: Session, settings: Settings, tmp_path: Path) -> None:
    add_suppliers(session)
    wb = Workbook()
    ws = wb.active
    ws.append(["审核编号", "供应商编号", "审核标准", "审核日期", "问题编号", "问题类别", "严重程度", "整改状态", "整改期限"])
    ws.append(["ZH-1", "SUP-000002", "客户审核", date(2024, 5, 1), "1", "童工", "零容忍", "整改中", date(2024, 5, 15)])
    ws.append(["ZH-1", "SUP-000002", "客户审核", date(2024, 5, 1), "2", "消防", "一般", "已整改", date(2024, 6, 1)])
    wb.save(tmp_path / "zh.xlsx")
    batch = import_audits(session, settings, tmp_path / "zh.xlsx")
    session.commit()
    assert batch.status == "completed", batch.errors
    findings = {f.finding_ref: f for f in session.scalars(select(AuditFinding))}
    assert (findings["1"].category, findings["1"].severity, findings["1"].status) == ("child_labour", "zero_tolerance", "open")
    assert (findings["2"].category, findings["2"].status) == ("fire", "closed")


def test_json_audits_with_nested_findings(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    batch = import_audits(session, settings, EXAMPLES / "audits.json")
    session.commit()
    assert batch.status == "completed", batch.errors
    assert batch.rows_total == 6  # 3 audits + 3 findings
    rba = session.scalar(select(Audit).where(Audit.external_ref == "RBA-2024-002"))
    assert rba.grade == "silver" and rba.findings[0].category == "fire"
    ipc = session.scalar(select(Audit).where(Audit.external_ref == "IPC-2024-005"))
    assert ipc.scheme == "ipc1401" and ipc.audit_type == "self_assessment"
    assert ipc.findings[0].severity == "observation"
    sme_audit = session.scalar(select(Audit).where(Audit.external_ref == "SME-2024-011"))
    assert sme_audit.score == 859.8 and sme_audit.grade == "AA-"
    again = import_audits(session, settings, EXAMPLES / "audits.json")
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 6)


def test_each_bad_row_is_reported_and_valid_rows_are_kept(session: Session, settings: Settings, tmp_path: Path) -> None:
    add_suppliers(session)
    rows = [
        ["OK-1", "SUP-000001", "RBA", "2024-01-10", 180, "F1", "Overtime", "Major", "", "open", "2024-03-01"],
        ["BAD-SUP", "SUP-9999", "RBA", "2024-01-10", 180, "F1", "Overtime", "Major", "", "open", ""],
        ["BAD-DATE", "SUP-000001", "RBA", "2024-13-40", 180, "F1", "Overtime", "Major", "", "open", ""],
        ["BAD-SCHEME", "SUP-000001", "WRAPX", "2024-01-10", "", "F1", "Overtime", "Major", "", "open", ""],
        ["BAD-SCORE", "SUP-000001", "RBA", "2024-01-10", 250, "F1", "Overtime", "Major", "", "open", ""],
        ["OK-2", "SUP-000002", "SMETA", "2024-01-10", "", "F1", "Labour", "catastrophic", "", "open", ""],
        ["OK-2", "SUP-000002", "SMETA", "2024-01-10", "", "F2", "Labour", "Observation", "", "maybe", ""],
        ["OK-2", "SUP-000002", "SMETA", "2024-01-10", "", "F3", "Labour", "Observation", "", "open", "soon"],
        ["OK-2", "SUP-000002", "SMETA", "2024-01-10", "", "F4", "Labour", "Observation", "", "open", ""],
        ["", "SUP-000002", "SMETA", "2024-01-10", "", "F5", "Labour", "Observation", "", "open", ""],
    ]
    batch = import_audits(session, settings, write_csv(tmp_path / "bad.csv", HEADER, rows))
    session.commit()
    assert batch.status == "completed_with_errors"
    got = {(e["row"], e["column"]) for e in batch.errors}
    assert got == {(3, "supplier_ref"), (4, "audit_date"), (5, "scheme"), (6, "score"), (7, "severity"),
                   (8, "status"), (9, "cap_due_date"), (11, "audit_ref")}
    reasons = {e["row"]: e["reason"] for e in batch.errors}
    assert "unknown supplier reference 'SUP-9999'" in reasons[3]
    assert "out of range 0–200" in reasons[6]
    assert "unknown severity 'catastrophic'" in reasons[7]
    assert (batch.rows_total, batch.rows_rejected) == (10, 8)
    assert set(session.scalars(select(Audit.external_ref))) == {"OK-1", "OK-2"}
    assert set(session.scalars(select(AuditFinding.finding_ref).join(Audit).where(Audit.external_ref == "OK-2"))) == {"F4"}


def test_sme_indicator_errors_and_missing_preconditions(session: Session, settings: Settings, tmp_path: Path) -> None:
    add_suppliers(session)
    doc = [
        {"audit_ref": "S-1", "supplier_ref": "SUP-000001", "scheme": "SME", "audit_date": "2024-01-01",
         "indicators": {"5.1.1": 40}},
        {"audit_ref": "S-2", "supplier_ref": "SUP-000001", "scheme": "SME", "audit_date": "2024-01-01",
         "indicators": {"9.9.9": 1}},
        {"audit_ref": "S-3", "supplier_ref": "SUP-000001", "scheme": "SME", "audit_date": "2024-01-01",
         "score": 990, "preconditions_met": "否"},
    ]
    (tmp_path / "sme.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    batch = import_audits(session, settings, tmp_path / "sme.json")
    session.commit()
    reasons = {e["row"]: (e["column"], e["reason"]) for e in batch.errors}
    assert reasons[1] == ("points", "points for 5.1.1 must be between 0 and 32, got 40")
    assert reasons[2][0] == "indicator_code" and "9.9.9" in reasons[2][1]
    rated = session.scalar(select(Audit).where(Audit.external_ref == "S-3"))
    assert rated.score == 990 and rated.grade is None


def test_not_a_table_fails_the_batch_and_keeps_the_original(session: Session, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"%PDF-1.4\n%binary\x00\x01\x02")
    batch = import_audits(session, settings, path)
    session.commit()
    assert batch.status == "failed" and "PDF" in (batch.error or "")
    assert batch.stored_path and Path(batch.stored_path).read_bytes() == path.read_bytes()
    assert _count(session, Audit) == 0


def test_malformed_json_fails_with_reason(session: Session, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "audits.json"
    path.write_text('[{"audit_ref": "A-1", ', encoding="utf-8")
    batch = import_audits(session, settings, path)
    assert batch.status == "failed" and "not valid JSON" in (batch.error or "")


def test_overdue_findings(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    import_audits(session, settings, EXAMPLES / "audits.csv")
    session.commit()
    overdue = {f.finding_ref for f in overdue_findings(session, date(2024, 7, 1))}
    # Open with a due date before 2024-07-01: RBA F2 (06-14), SMETA NC-1 (04-02), BSCI PA6 (04-20), PA9 (02-05).
    assert overdue == {"F2", "NC-1", "PA6", "PA9"}
    assert all(f.is_overdue(date(2024, 7, 1)) for f in overdue_findings(session, date(2024, 7, 1)))


def test_open_red_line_findings_are_red_line_events(session: Session, settings: Settings) -> None:
    add_suppliers(session)
    import_audits(session, settings, EXAMPLES / "audits.csv")
    session.commit()
    events = open_red_line_findings(session)
    assert {(f.audit.external_ref, f.finding_ref, f.category) for f in events} == {
        ("RBA-2024-001", "F2", "forced_labour"), ("BSCI-2024-088", "PA9", "child_labour")}
    from riskradar.domain.base import utcnow

    assert open_red_line_findings(session, since=utcnow()) == []


def test_cli_import_audits_json_output(session: Session, settings: Settings) -> None:
    from riskradar.cli import main

    add_suppliers(session)
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["import", "audits", str(EXAMPLES / "audits.csv"), "--json"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["kind"] == "audits" and summary["created"] == 10 and summary["rejected"] == 0
    session.expire_all()
    assert _count(session, AuditFinding) == 10


def test_cli_import_audits_with_rejected_rows_exits_nonzero(session: Session, settings: Settings, tmp_path: Path) -> None:
    from riskradar.cli import main

    add_suppliers(session)
    path = write_csv(tmp_path / "x.csv", HEADER, [["A", "SUP-9999", "RBA", "2024-01-01", "", "", "", "", "", "", ""]])
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["import", "audits", str(path)], env=env)
    assert result.exit_code == 0 and "SUP-9999" in result.output and "rejected 1" in result.output


def test_import_and_reimport_on_sqlite_and_postgresql(any_db) -> None:  # type: ignore[no-untyped-def]
    with any_db.scope() as session:
        add_suppliers(session)
    with any_db.scope() as session:
        first = import_audits(session, any_db.settings, EXAMPLES / "audits.xlsx")
        assert first.status == "completed", first.errors
    with any_db.scope() as session:
        again = import_audits(session, any_db.settings, EXAMPLES / "audits.xlsx")
        assert again.rows_created == 0 and again.rows_updated == 0
        assert _count(session, AuditFinding) == 4 and _count(session, SmeIndicatorScore) == 54


def test_cli_import_of_a_bad_file_exits_with_an_error(settings: Settings, tmp_path: Path) -> None:
    from riskradar.cli import main

    path = tmp_path / "audits.json"
    path.write_text("{oops", encoding="utf-8")
    env = {"RISKRADAR_DATA_DIR": str(settings.data_dir), "RISKRADAR_DATABASE_URL": settings.database_url,
           "RISKRADAR_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["import", "audits", str(path)], env=env)
    assert result.exit_code == 1 and "not valid JSON" in result.output


def test_rows_of_one_audit_that_disagree_are_rejected(session: Session, settings: Settings, tmp_path: Path) -> None:
    add_suppliers(session)
    rows = [["A-1", "SUP-000001", "RBA", "2024-01-10", 150, "F1", "Overtime", "Major", "", "open", ""],
            ["A-1", "SUP-000002", "RBA", "2024-01-10", 150, "F2", "Overtime", "Major", "", "open", ""]]
    batch = import_audits(session, settings, write_csv(tmp_path / "a.csv", HEADER, rows))
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "supplier_ref")]
    assert session.scalars(select(AuditFinding.finding_ref)).all() == ["F1"]


def test_every_row_of_a_rejected_audit_is_reported(session: Session, settings: Settings) -> None:
    batch = import_audits(session, settings, EXAMPLES / "audits.csv")  # no suppliers stored
    assert batch.rows_rejected == 10
    assert sorted(e["row"] for e in batch.errors) == list(range(2, 12))
    assert all(e["column"] == "supplier_ref" for e in batch.errors)
