"""Demo audit and agreement files, delivered through the real inbox (not written to the DB).

:func:`write_demo_inbox_files` writes a CSV (RBA, SMETA, SA8000), an XLSX with an audits and a
findings sheet (amfori BSCI, IPC-1401), a JSON file (customer/internal audits and SME
evaluations with indicator points) and an agreements CSV into ``settings.inbox_dir``; the
scheduler's inbox job imports them. It also stages a few single-audit files (each with an
open zero-tolerance red-line finding) that :func:`drip_demo_files` moves into the inbox one
per call, so new red-line events keep arriving while someone watches the dashboard.

Deterministic for a given supplier list and day (``random.Random``).
"""

from __future__ import annotations

import csv
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar import sme
from riskradar.domain.suppliers import Supplier
from riskradar.settings import Settings

AUDIT_COLUMNS = ["audit_ref", "supplier_ref", "scheme", "audit_date", "audit_type", "auditor", "score", "grade",
                 "result", "preconditions_met"]
FINDING_COLUMNS = ["finding_ref", "category", "severity", "description", "status", "cap_due_date", "closed_date"]

# (category wording, description) pairs per language; the importer maps them onto the taxonomy.
ISSUES_EN: dict[str, list[tuple[str, str]]] = {
    "wages_hours": [("Working hours", "Weekly hours above 60 during peak season"),
                    ("Wages and benefits", "Overtime premium paid below the legal rate"),
                    ("Working hours", "No rest day in 7 for packing workers")],
    "health_safety": [("Health & Safety", "Machine guarding missing on punch presses"),
                      ("Occupational health and safety", "PPE not provided in the spray-painting area"),
                      ("Health & Safety", "Chemical storage without secondary containment")],
    "fire": [("Fire safety", "Emergency exits blocked by finished goods"),
             ("Emergency preparedness", "Fire extinguishers expired in the dormitory"),
             ("Fire safety", "Fire exits locked during the night shift")],
    "environment": [("Environment", "Wastewater discharge permit expired"),
                    ("Environment", "Hazardous waste stored in the open")],
    "management_system": [("Management systems", "Grievance mechanism not communicated to workers"),
                          ("Management systems", "Labour-agency due diligence not documented")],
    "discrimination": [("Discrimination", "Pregnancy tests required at hiring"),
                       ("Harassment", "Supervisors use verbal abuse on the line")],
    "child_labour": [("Child labour", "Two workers aged 15 found on the packing line"),
                     ("Young workers", "Student interns working night shifts")],
    "forced_labour": [("Forced labour", "Passports of migrant workers retained by the dormitory office"),
                      ("Bonded labour", "Recruitment fees deducted from the first three months of wages")],
    "bribery": [("Business ethics", "Kickback offered to the auditor"),
                ("Bribery", "Gifts to the customer's buyer above the policy limit")],
}
ISSUES_ZH: dict[str, list[tuple[str, str]]] = {
    "wages_hours": [("工时", "旺季每周工作超过60小时"), ("工资", "拖欠工资两个月"), ("加班", "加班费未按法定标准支付")],
    "health_safety": [("职业健康", "噪声岗位未配发耳塞"), ("安全", "冲压设备缺少防护装置")],
    "fire": [("消防", "安全出口被货物堵塞"), ("消防安全", "宿舍灭火器过期")],
    "environment": [("环境", "废水排放超标"), ("环保", "危险废物露天堆放")],
    "management_system": [("管理体系", "内部审核记录不完整"), ("管理制度", "未建立员工申诉渠道")],
    "discrimination": [("歧视", "招聘广告限制性别"), ("骚扰", "主管辱骂员工")],
    "child_labour": [("童工", "发现两名15岁员工"), ("未成年工", "学生工夜班作业")],
    "forced_labour": [("强迫劳动", "扣押员工身份证"), ("强迫劳动", "入职收取押金")],
    "bribery": [("商业贿赂", "采购人员收受回扣"), ("贿赂", "向审核员行贿")],
}
ORDINARY = ["wages_hours", "health_safety", "fire", "environment", "management_system", "discrimination"]
RED = ["child_labour", "forced_labour", "bribery", "fire"]
SEVERITY_WORDS = {
    "rba": {"zero_tolerance": "Priority", "major": "Major", "minor": "Minor", "observation": "Minor"},
    "smeta": {"zero_tolerance": "Business critical", "major": "Non-compliance", "minor": "Non-compliance",
              "observation": "Observation"},
    "sa8000": {"zero_tolerance": "Critical NC", "major": "Major NC", "minor": "Minor NC", "observation": "OFI"},
    "bsci": {"zero_tolerance": "Zero tolerance", "major": "E", "minor": "C", "observation": "B"},
    "ipc1401": {"zero_tolerance": "Critical", "major": "Nonconformity", "minor": "Minor", "observation": "OFI"},
    "customer": {"zero_tolerance": "零容忍", "major": "严重", "minor": "一般", "observation": "观察"},
    "internal": {"zero_tolerance": "红线", "major": "严重", "minor": "轻微", "observation": "建议"},
}
SCHEME_NAMES = {"rba": "RBA VAP", "smeta": "Sedex SMETA 4-pillar", "sa8000": "SA8000", "bsci": "amfori BSCI",
                "ipc1401": "IPC-1401", "customer": "客户审核", "internal": "内部审核", "sme": "中小企业社会责任评价"}
AUDITORS = ["ELEVATE", "SGS", "Bureau Veritas", "Intertek", "TÜV Rheinland", "UL", "QIMA", "采购部CSR小组"]


def _drip_dir(settings: Settings) -> Path:
    return settings.data_dir / "demo" / "drip"


def _atomic_write(path: Path, data: bytes) -> None:
    # Written under a .part name first so the inbox never sees a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _scheme_for(rng: random.Random, supplier: Supplier) -> str:
    industry = supplier.industry or ""
    if supplier.country == "CN" and rng.random() < 0.12:
        return "sme"
    if industry in ("electronics", "batteries", "auto_parts", "machinery"):
        return rng.choice(["rba", "rba", "ipc1401", "customer", "sa8000"])
    if industry in ("apparel", "textiles", "footwear", "toys", "furniture"):
        return rng.choice(["bsci", "bsci", "smeta", "sa8000", "customer"])
    return rng.choice(["smeta", "customer", "internal", "bsci"])


def _finding(rng: random.Random, scheme: str, n: int, audit_date: date, today: date, *, red: bool,
             zh: bool) -> dict[str, Any]:
    category = rng.choice(RED) if red else rng.choice(ORDINARY)
    wording, description = rng.choice((ISSUES_ZH if zh else ISSUES_EN)[category])
    severity = "zero_tolerance" if red else rng.choices(["major", "minor", "observation"], [3, 5, 2])[0]
    due = audit_date + timedelta(days={"zero_tolerance": 14, "major": 60, "minor": 90, "observation": 120}[severity])
    closed = None
    if not red and due < today and rng.random() < 0.65:
        closed = min(today, due - timedelta(days=rng.randint(0, 20)))
    return {"finding_ref": f"F{n}", "category": wording, "severity": SEVERITY_WORDS[scheme][severity],
            "description": description, "status": "closed" if closed else "open",
            "cap_due_date": due.isoformat(), "closed_date": closed.isoformat() if closed else ""}


def _audit(rng: random.Random, supplier: Supplier, index: int, today: date) -> dict[str, Any]:
    scheme = _scheme_for(rng, supplier)
    audit_date = today - timedelta(days=rng.randint(20, 540))
    audit: dict[str, Any] = {
        "audit_ref": f"DEMO-{scheme.upper()}-{index:05d}", "supplier_ref": supplier.external_ref,
        "scheme": SCHEME_NAMES[scheme], "audit_date": audit_date.isoformat(),
        "audit_type": rng.choice(["initial", "follow_up", "periodic"]), "auditor": rng.choice(AUDITORS),
        "score": "", "grade": "", "result": "", "preconditions_met": "", "findings": [],
    }
    if scheme == "sme":
        audit["audit_type"] = "self_assessment"
        quality = rng.uniform(0.45, 0.97)
        audit["indicators"] = {code: round(ind.points * min(1.0, max(0.0, rng.gauss(quality, 0.1))), 1)
                               for code, ind in sme.indicators().items()}
        audit["preconditions_met"] = "yes" if rng.random() > 0.05 else "no"
        return audit
    if scheme == "rba":
        audit["score"] = rng.randint(110, 200)
    elif scheme == "bsci":
        audit["grade"] = rng.choices("ABCDE", [1, 3, 4, 2, 1])[0]
    elif scheme == "sa8000":
        audit["result"] = "certified" if rng.random() < 0.7 else "not certified"
    elif scheme in ("ipc1401", "customer", "internal"):
        audit["score"] = rng.randint(55, 98)
    zh = scheme in ("customer", "internal") or (supplier.country == "CN" and rng.random() < 0.3)
    n_findings = rng.choice([0, 1, 2, 3, 3, 4, 5, 6])
    for n in range(1, n_findings + 1):
        red = rng.random() < 0.025
        audit["findings"].append(_finding(rng, scheme, n, date.fromisoformat(audit["audit_date"]), today,
                                          red=red, zh=zh))
    return audit


def _flat_csv(audits: list[dict[str, Any]]) -> bytes:
    from io import StringIO

    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS + FINDING_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for audit in audits:
        for finding in audit["findings"] or [{}]:
            writer.writerow({**audit, **finding})
    return out.getvalue().encode("utf-8")


def _two_sheet_xlsx(audits: list[dict[str, Any]]) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("audits")
    sheet.append(AUDIT_COLUMNS)
    for audit in audits:
        sheet.append([audit.get(c, "") for c in AUDIT_COLUMNS])
    findings = wb.create_sheet("findings")
    findings.append(["audit_ref"] + FINDING_COLUMNS)
    for audit in audits:
        for finding in audit["findings"]:
            findings.append([audit["audit_ref"]] + [finding.get(c, "") for c in FINDING_COLUMNS])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _json(audits: list[dict[str, Any]]) -> bytes:
    clean = [{k: v for k, v in a.items() if v not in ("", None, [])} for a in audits]
    return json.dumps(clean, ensure_ascii=False, indent=1).encode("utf-8")


def _agreements_csv(rng: random.Random, suppliers: list[Supplier], today: date) -> bytes:
    from io import StringIO

    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(["供应商编号", "协议版本", "状态", "签署日期", "到期日期", "红线条款", "培训完成", "培训日期"])
    for supplier in suppliers:
        roll = rng.random()
        if roll < 0.08:
            continue  # no agreement at all
        if roll < 0.14:
            writer.writerow([supplier.external_ref, "2025.1", "待签署", "", "", "", "否", ""])
            continue
        if roll < 0.17:
            writer.writerow([supplier.external_ref, "2025.1", "拒签", "", "", "", "否", ""])
            continue
        signed = today - timedelta(days=rng.randint(30, 760))
        expiry = signed + timedelta(days=730)
        if rng.random() < 0.05:  # a few about to expire, for the expiry job's warning list
            expiry = today + timedelta(days=rng.randint(1, 30))
        clauses = "童工、强迫劳动、贿赂、火灾" if rng.random() < 0.85 else "童工、火灾"
        trained = rng.random() < 0.7
        writer.writerow([supplier.external_ref, "2024.1", "已签署", signed.isoformat(), expiry.isoformat(), clauses,
                         "是" if trained else "否", (signed + timedelta(days=14)).isoformat() if trained else ""])
    return out.getvalue().encode("utf-8")


def write_demo_inbox_files(settings: Settings, session: Session, *, seed: int = 11, share: float = 0.25,
                           drip_files: int = 12, today: date | None = None) -> dict[str, Any]:
    """Write demo audit and agreement files for the stored suppliers into the inbox.

    ``share`` of the suppliers get an audit; ``drip_files`` single-audit files with red-line
    findings are staged for :func:`drip_demo_files`. Returns the paths written and counts.
    """
    today = today or date.today()
    rng = random.Random(seed)
    suppliers = list(session.scalars(select(Supplier).order_by(Supplier.id)))
    if not suppliers:
        return {"audits": 0, "files": [], "drip_files": 0}
    audited = rng.sample(suppliers, k=max(1, int(len(suppliers) * share)))
    audits = [_audit(rng, s, i, today) for i, s in enumerate(audited, start=1)]
    flat = [a for a in audits if a["scheme"] in (SCHEME_NAMES["rba"], SCHEME_NAMES["smeta"], SCHEME_NAMES["sa8000"])]
    sheets = [a for a in audits if a["scheme"] in (SCHEME_NAMES["bsci"], SCHEME_NAMES["ipc1401"])]
    nested = [a for a in audits if a not in flat and a not in sheets]
    folder = settings.inbox_dir
    files = []
    for name, kind, data in (
        ("demo-audits-rba-smeta-sa8000.csv", "audits", _flat_csv(flat)),
        ("demo-audits-bsci-ipc.xlsx", "audits", _two_sheet_xlsx(sheets)),
        ("demo-audits-customer-sme.json", "audits", _json(nested)),
        ("demo-agreements.csv", "agreements", _agreements_csv(rng, suppliers, today)),
    ):
        path = folder / kind / name
        _atomic_write(path, data)
        files.append(str(path))

    # Staged red-line audits, dripped into the inbox later by the demo_drip job.
    drip = _drip_dir(settings)
    for i in range(1, drip_files + 1):
        supplier = rng.choice(suppliers)
        audit = _audit(rng, supplier, 90000 + i, today)
        if audit["scheme"] == SCHEME_NAMES["sme"]:
            audit.update(scheme=SCHEME_NAMES["customer"], indicators=None, preconditions_met="", score=80)
        audit["audit_date"] = today.isoformat()
        scheme_code = next(k for k, v in SCHEME_NAMES.items() if v == audit["scheme"])
        audit["findings"] = [_finding(rng, scheme_code, 1, today, today, red=True, zh=supplier.country == "CN")]
        _atomic_write(drip / f"{i:03d}-demo-red-line-audit.json", _json([audit]))
    return {"audits": len(audits), "findings": sum(len(a["findings"]) for a in audits), "files": files,
            "drip_files": drip_files}


def drip_demo_files(settings: Settings, *, count: int = 1) -> dict[str, Any]:
    """Move the next ``count`` staged demo audit files into ``<inbox>/audits/`` (demo mode job)."""
    drip = _drip_dir(settings)
    staged = sorted(drip.glob("*.json")) if drip.is_dir() else []
    moved = []
    for path in staged[:count]:
        target = settings.inbox_dir / "audits" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved.append(target.name)
    return {"moved": moved, "remaining": max(0, len(staged) - len(moved))}
