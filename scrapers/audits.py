"""Import audits and their findings (and SME indicator points) from CSV, XLSX or JSON.

Accepted layouts (see ``docs/import-templates.md``):

* CSV or a one-sheet XLSX with one row per finding; the audit columns repeat on each row
  (a row without finding columns is an audit without findings; a row with ``indicator_code``
  carries SME indicator points);
* XLSX with a sheet of audits and a sheet of findings (and optionally ``sme_indicators``),
  joined by ``audit_ref``;
* JSON: a list of audit objects (or ``{"audits": [...]}``) with nested ``findings`` and, for
  SME evaluations, ``indicators`` (``{"5.1.1": 30, ...}``).

Audits are upserted by ``audit_ref`` and findings by (audit, ``finding_ref``), so importing the
same file again changes nothing. Each bad row is reported (row, column, reason) and skipped;
everything valid is kept; the original file is retained by the import batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from riskradar import sme
from riskradar.domain.audits import Audit, AuditFinding, SmeIndicatorScore
from riskradar.domain.base import utcnow
from riskradar.domain.imports import ImportBatch
from riskradar.domain.suppliers import Supplier
from riskradar.settings import Settings
from scrapers import fields as F
from scrapers.schemes import Scheme, SchemeError, get_scheme, map_category

KIND = "audits"
CHUNK = 500

AUDIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "audit_ref": ("audit_id", "audit_no", "audit_number", "report_no", "审核编号", "审核单号", "报告编号"),
    "supplier_ref": ("supplier_id", "supplier", "supplier_code", "vendor_code", "供应商编号", "供应商代码"),
    "scheme": ("standard", "audit_scheme", "audit_standard", "审核标准", "标准", "审核体系"),
    "audit_date": ("date", "审核日期"),
    "audit_type": ("type", "审核类型"),
    "auditor": ("audit_firm", "auditing_body", "审核机构", "审核员"),
    "score": ("total_score", "得分", "分数", "总分"),
    "score_max": ("max_score", "满分"),
    "grade": ("rating", "评级", "等级"),
    "result": ("outcome", "结果", "结论"),
    "valid_until": ("expiry_date", "有效期至"),
    "preconditions_met": ("preconditions", "前提条件"),
}
FINDING_COLUMNS: dict[str, tuple[str, ...]] = {
    "finding_ref": ("finding_id", "finding_no", "问题编号", "发现编号"),
    "category": ("finding_category", "pillar", "performance_area", "类别", "问题类别"),
    "severity": ("finding_severity", "classification", "严重程度", "严重性"),
    "description": ("finding", "details", "描述", "问题描述"),
    "status": ("cap_status", "状态", "整改状态"),
    "cap_due_date": ("due_date", "cap_due", "整改期限", "整改截止日期"),
    "closed_date": ("close_date", "关闭日期"),
}
INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator_code": ("indicator", "指标编号", "指标"),
    "points": ("indicator_points", "指标得分", "得分点"),
}
ALIASES = F.build_alias_map({**AUDIT_COLUMNS, **FINDING_COLUMNS, **INDICATOR_COLUMNS})
_AUDIT_IDENTITY = ("supplier_ref", "scheme", "audit_date")
_FINDING_KEYS = ("finding_ref", "category", "severity", "description")
_STATUSES = {
    "open": "open", "opened": "open", "pending": "open", "in progress": "open", "overdue": "open",
    "开放": "open", "未关闭": "open", "未整改": "open", "整改中": "open", "待整改": "open",
    "closed": "closed", "close": "closed", "completed": "closed", "verified": "closed", "resolved": "closed",
    "关闭": "closed", "已关闭": "closed", "已整改": "closed", "已完成": "closed",
}


class AuditFileError(ValueError):
    """The whole file cannot be read as audits (not a table, bad JSON, missing columns)."""


@dataclass
class _FindingIn:
    row: Any
    data: dict[str, Any]


@dataclass
class _IndicatorIn:
    row: Any
    code: Any
    points: Any


@dataclass
class _AuditIn:
    ref: str
    row: Any = None
    data: dict[str, Any] | None = None  # None: only referenced by findings (must exist in the DB)
    rows: list[Any] = field(default_factory=list)
    findings: list[_FindingIn] = field(default_factory=list)
    indicators: list[_IndicatorIn] = field(default_factory=list)


@dataclass
class ParsedAudits:
    """What was read from a file before touching the database."""

    audits: dict[str, _AuditIn]
    errors: list[dict[str, Any]]
    rows_total: int
    rejected_rows: set[Any]


def _err(errors: list[dict[str, Any]], row: Any, column: str | None, reason: str, sheet: str | None = None) -> None:
    entry: dict[str, Any] = {"row": row, "column": column, "reason": reason}
    if sheet:
        entry["sheet"] = sheet
    errors.append(entry)


# --- reading -----------------------------------------------------------------------------

def _table_sheets(path: Path, max_bytes: int) -> list[tuple[str, list[tuple[int, dict[str, Any]]]]]:
    """Sheets of a CSV/XLSX file as (name, [(row number, row dict)]) via the shared table reader."""
    from scrapers.tabular import read_table

    table = read_table(path, max_bytes=max_bytes)
    return [(name, list(_numbered(rows))) for name, rows in table.sheets.items()]


def _numbered(rows: Iterable[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    # scrapers.tabular.Row is a dict with its spreadsheet row number in ``.number``.
    for index, row in enumerate(rows):
        yield int(getattr(row, "number", index + 2)), dict(row)


def _is_findings_sheet(name: str, rows: Sequence[tuple[int, dict[str, Any]]]) -> bool:
    key = F.header_key(name)
    if key in {"findings", "finding", "问题", "发现", "审核发现", "问题清单"}:
        return True
    cols = {ALIASES.get(F.header_key(c), "") for _, r in rows[:1] for c in r}
    return "severity" in cols and "scheme" not in cols


def _is_indicator_sheet(name: str, rows: Sequence[tuple[int, dict[str, Any]]]) -> bool:
    key = F.header_key(name)
    if key in {"sme_indicators", "indicators", "指标", "指标得分"}:
        return True
    cols = {ALIASES.get(F.header_key(c), "") for _, r in rows[:1] for c in r}
    return "indicator_code" in cols and "scheme" not in cols


def parse_tabular(sheets: list[tuple[str, list[tuple[int, dict[str, Any]]]]]) -> ParsedAudits:
    """Group table rows into audits with findings and indicator points (no validation yet)."""
    errors: list[dict[str, Any]] = []
    audits: dict[str, _AuditIn] = {}
    rejected: set[Any] = set()
    total = 0
    multi = len([s for s in sheets if s[1]]) > 1
    sheet_names = [name for name, _ in sheets]

    def label(sheet: str, row: int) -> Any:
        return f"{sheet}:{row}" if multi else row

    def audit_for(ref: str) -> _AuditIn:
        if ref not in audits:
            audits[ref] = _AuditIn(ref=ref)
        return audits[ref]

    for sheet, rows in sheets:
        findings_only = multi and _is_findings_sheet(sheet, rows)
        indicators_only = multi and not findings_only and _is_indicator_sheet(sheet, rows)
        for number, raw in rows:
            data = F.canonical_row(raw, ALIASES)
            if all(F.is_blank(v) for v in data.values()):
                continue
            total += 1
            where = label(sheet, number)
            ref = F.text(data.get("audit_ref"), 128)
            if not ref:
                _err(errors, where, "audit_ref", "audit_ref is empty", sheet if multi else None)
                rejected.add(where)
                continue
            audit = audit_for(ref)
            audit.rows.append(where)
            has_finding = any(not F.is_blank(data.get(k)) for k in _FINDING_KEYS)
            has_indicator = not F.is_blank(data.get("indicator_code"))
            if not findings_only and not indicators_only:
                if audit.data is None:
                    audit.data, audit.row = data, where
                elif multi:
                    _err(errors, where, "audit_ref", f"duplicate audit_ref {ref!r} (first on row {audit.row})", sheet)
                    rejected.add(where)
                    continue
                else:
                    # One row per finding: the audit columns must repeat the audit's first row.
                    clash = next((c for c in _AUDIT_IDENTITY if F.text(data.get(c)) != F.text(audit.data.get(c))), None)
                    if clash:
                        _err(errors, where, clash, f"audit {ref!r} has {clash} {audit.data.get(clash)!r} on row "
                                                   f"{audit.row}, this row says {data.get(clash)!r}")
                        rejected.add(where)
                        continue
            if has_finding and not indicators_only:
                audit.findings.append(_FindingIn(where, data))
            if has_indicator and not findings_only:
                audit.indicators.append(_IndicatorIn(where, data.get("indicator_code"), data.get("points")))
    if not total and not any(rows for _, rows in sheets):
        raise AuditFileError(f"no rows in {', '.join(sheet_names) or 'file'}")
    return ParsedAudits(audits, errors, total, rejected)


def parse_json(path: Path, max_bytes: int) -> ParsedAudits:
    """Audits from JSON: a list of audit objects (or {"audits": [...]}) with nested findings."""
    size = path.stat().st_size
    if size > max_bytes:
        raise AuditFileError(f"file is {size} bytes, larger than the limit of {max_bytes}")
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuditFileError(f"not valid JSON: {exc}") from None
    if isinstance(doc, dict) and isinstance(doc.get("audits"), list):
        doc = doc["audits"]
    if not isinstance(doc, list):
        raise AuditFileError('JSON must be a list of audits or {"audits": [...]}')
    errors: list[dict[str, Any]] = []
    audits: dict[str, _AuditIn] = {}
    rejected: set[Any] = set()
    total = 0
    for index, item in enumerate(doc, start=1):
        total += 1
        if not isinstance(item, dict):
            _err(errors, index, None, "audit entry is not an object")
            rejected.add(index)
            continue
        data = F.canonical_row({k: v for k, v in item.items() if k not in ("findings", "indicators")}, ALIASES)
        ref = F.text(data.get("audit_ref"), 128)
        if not ref:
            _err(errors, index, "audit_ref", "audit_ref is empty")
            rejected.add(index)
            continue
        if ref in audits:
            _err(errors, index, "audit_ref", f"duplicate audit_ref {ref!r} (first at audit {audits[ref].row})")
            rejected.add(index)
            continue
        audit = _AuditIn(ref=ref, row=index, data=data, rows=[index])
        findings = item.get("findings") or []
        if not isinstance(findings, list):
            _err(errors, index, "findings", "findings must be a list")
        else:
            for fi, finding in enumerate(findings, start=1):
                where = f"{index}.findings[{fi}]"
                total += 1
                if not isinstance(finding, dict):
                    _err(errors, where, None, "finding is not an object")
                    rejected.add(where)
                    continue
                audit.findings.append(_FindingIn(where, F.canonical_row(finding, ALIASES)))
        indicators = item.get("indicators") or {}
        if isinstance(indicators, dict):
            audit.indicators = [_IndicatorIn(index, code, pts) for code, pts in indicators.items()]
        elif isinstance(indicators, list):
            audit.indicators = [
                _IndicatorIn(index, (x or {}).get("indicator_code") or (x or {}).get("code"), (x or {}).get("points"))
                for x in indicators
            ]
        else:
            _err(errors, index, "indicators", "indicators must be an object {code: points} or a list")
        audits[ref] = audit
    return ParsedAudits(audits, errors, total, rejected)


def _looks_like_json(path: Path, name: str | None) -> bool:
    if Path(name or path.name).suffix.lower() == ".json":
        return True
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{")


def read_audit_file(path: Path, *, max_bytes: int, name: str | None = None) -> ParsedAudits:
    """Parse a CSV, XLSX or JSON audit file. Raises AuditFileError / NotATableError for a bad file.

    JSON is recognised by the name ending in ``.json`` or by content starting with ``[`` / ``{``.
    """
    if _looks_like_json(path, name):
        return parse_json(path, max_bytes)
    return parse_tabular(_table_sheets(path, max_bytes))


# --- validation --------------------------------------------------------------------------

def _score_and_max(data: dict[str, Any]) -> tuple[float | None, float | None]:
    score, top = data.get("score"), data.get("score_max")
    if isinstance(score, str) and "/" in score:  # "185/200"
        score, _, given_top = score.partition("/")
        top = top if not F.is_blank(top) else given_top
    return F.parse_number(score), F.parse_number(top)


def _validate_audit(audit: _AuditIn, suppliers: dict[str, int], errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Normalised column values of an audit, or None (errors appended) when it cannot be stored."""
    data = audit.data or {}
    row = audit.row
    ok = True

    def bad(column: str, reason: str) -> None:
        nonlocal ok
        ok = False
        _err(errors, row, column, reason)

    supplier_ref = F.text(data.get("supplier_ref"))
    supplier_id = suppliers.get(supplier_ref or "")
    if not supplier_ref:
        bad("supplier_ref", "supplier_ref is empty")
    elif supplier_id is None:
        bad("supplier_ref", f"unknown supplier reference {supplier_ref!r}")
    scheme: Scheme | None = None
    try:
        scheme = get_scheme(data.get("scheme"))
    except SchemeError as exc:
        bad("scheme", str(exc))
    audit_date = valid_until = None
    try:
        audit_date = F.parse_date(data.get("audit_date"))
        if audit_date is None:
            bad("audit_date", "audit_date is empty")
    except ValueError as exc:
        bad("audit_date", str(exc))
    try:
        valid_until = F.parse_date(data.get("valid_until"))
    except ValueError as exc:
        bad("valid_until", str(exc))
    try:
        score, top = _score_and_max(data)
    except ValueError as exc:
        bad("score", str(exc))
        score = top = None
    if scheme is None or not ok:
        return None

    grade_raw, result_raw = F.text(data.get("grade"), 16), F.text(data.get("result"), 32)
    values: dict[str, Any] = {}
    if scheme.code == "sme":
        values.update(_validate_sme(audit, data, score, audit_date, errors))
        if values.get("invalid"):
            return None
        score = values.pop("total")
        if valid_until is None and audit_date is not None:
            valid_until = sme.valid_until(audit_date)
    try:
        overall = scheme.overall(score, top, grade_raw if scheme.code != "sme" else values.get("grade"), result_raw)
    except SchemeError as exc:
        message = str(exc)
        column = "score" if "score" in message else "grade" if "grade" in message else "result"
        bad(column, message)
        return None
    raw = F.jsonable(audit.data or {})
    return {
        "supplier_id": supplier_id,
        "scheme": scheme.code,
        "scheme_raw": F.text(data.get("scheme"), 64),
        "audit_type": F.text(data.get("audit_type"), 32),
        "audit_date": audit_date,
        "auditor": F.text(data.get("auditor"), 255),
        "score": overall.score,
        "score_max": overall.score_max,
        "grade": overall.grade,
        "result": overall.result,
        "valid_until": valid_until,
        "raw": raw,
        "_scheme": scheme,
        "_indicators": values.get("indicators", []),
    }


def _validate_sme(audit: _AuditIn, data: dict[str, Any], score: float | None, audit_date: Any,
                  errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Indicator points -> total -> grade for an SME evaluation."""
    table = sme.indicators()
    points: list[tuple[str, float, float]] = []
    invalid = False
    for ind in audit.indicators:
        code = F.text(ind.code)
        if not code or code not in table:
            _err(errors, ind.row, "indicator_code", f"unknown SME indicator {ind.code!r}")
            invalid = True
            continue
        try:
            value = F.parse_number(ind.points)
        except ValueError as exc:
            _err(errors, ind.row, "points", str(exc))
            invalid = True
            continue
        top = table[code].points
        if value is None or not 0 <= value <= top:
            _err(errors, ind.row, "points", f"points for {code} must be between 0 and {top:g}, got {ind.points!r}")
            invalid = True
            continue
        points.append((code, value, top, ind.row))
    try:
        preconditions = F.parse_bool(data.get("preconditions_met"), default=True)
    except ValueError as exc:
        _err(errors, audit.row, "preconditions_met", str(exc))
        return {"invalid": True}
    if invalid:
        return {"invalid": True}
    total = round(sum(p[1] for p in points), 2) if points else score
    if total is None:
        _err(errors, audit.row, "score", "an SME evaluation needs a score or indicator points")
        return {"invalid": True}
    if points and score is not None and abs(score - total) > 0.5:
        _err(errors, audit.row, "score", f"score {score:g} differs from the sum of indicator points {total:g}")
        return {"invalid": True}
    try:
        grade = sme.rate(total, preconditions_met=bool(preconditions))
    except ValueError as exc:
        _err(errors, audit.row, "score", str(exc))
        return {"invalid": True}
    return {"total": total, "grade": grade, "indicators": points}


def _validate_finding(finding: _FindingIn, scheme: Scheme, seq: int, errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    data = finding.data
    ok = True

    def bad(column: str, reason: str) -> None:
        nonlocal ok
        ok = False
        _err(errors, finding.row, column, reason)

    severity_raw = F.text(data.get("severity"), 64)
    severity = None
    try:
        severity = scheme.severity(severity_raw)
    except SchemeError as exc:
        bad("severity", str(exc))
    status_raw = F.text(data.get("status"))
    status = scheme.finding_status_default(severity_raw) if not status_raw else _STATUSES.get(status_raw.lower())
    if status is None:
        bad("status", f"unknown status {status_raw!r} (use open or closed)")
    dates: dict[str, Any] = {}
    for column in ("cap_due_date", "closed_date"):
        try:
            dates[column] = F.parse_date(data.get(column))
        except ValueError as exc:
            bad(column, str(exc))
    if not ok:
        return None
    category_raw = F.text(data.get("category"), 255)
    description = F.text(data.get("description"))
    return {
        "finding_ref": F.text(data.get("finding_ref"), 128) or f"auto-{seq}",
        "category": map_category(category_raw, description),
        "category_raw": category_raw,
        "severity": severity,
        "severity_raw": severity_raw,
        "description": description,
        "status": status,
        **dates,
    }


# --- storing -----------------------------------------------------------------------------

def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


_AUDIT_FIELDS = ("supplier_id", "scheme", "scheme_raw", "audit_type", "audit_date", "auditor", "score",
                 "score_max", "grade", "result", "valid_until", "raw")
_FINDING_FIELDS = ("category", "category_raw", "severity", "severity_raw", "description", "status",
                   "cap_due_date", "closed_date")
_RANK = {"unchanged": 0, "updated": 1, "created": 2}


def store_audits(session: Session, parsed: ParsedAudits, batch_id: int | None) -> dict[str, Any]:
    """Validate against the database and upsert; returns counts and the row errors."""
    errors = parsed.errors
    rejected = set(parsed.rejected_rows)
    outcome: dict[Any, str] = {}
    stats = {"audits_created": 0, "audits_updated": 0, "audits_unchanged": 0,
             "findings_created": 0, "findings_updated": 0, "findings_unchanged": 0}

    def mark(rows: Iterable[Any], result: str) -> None:
        for r in rows:
            if _RANK[result] >= _RANK.get(outcome.get(r, "unchanged"), 0):
                outcome[r] = result

    refs = sorted({F.text((a.data or {}).get("supplier_ref")) or "" for a in parsed.audits.values()} - {""})
    suppliers: dict[str, int] = {}
    for chunk in _chunks(refs):
        suppliers.update((ref, id_) for ref, id_ in session.execute(
            select(Supplier.external_ref, Supplier.id).where(Supplier.external_ref.in_(chunk))))
    existing: dict[str, Audit] = {}
    for chunk in _chunks(sorted(parsed.audits)):
        for audit in session.scalars(select(Audit).where(Audit.external_ref.in_(chunk))):
            existing[audit.external_ref] = audit

    touched_suppliers: set[int] = set()
    valid: list[tuple[_AuditIn, dict[str, Any]]] = []
    for audit_in in parsed.audits.values():
        if audit_in.data is None:
            # Only referenced from a findings sheet: the audit must already be stored.
            found = existing.get(audit_in.ref)
            if found is None:
                for f in audit_in.findings:
                    _err(errors, f.row, "audit_ref", f"audit {audit_in.ref!r} is neither in the audits sheet nor stored")
                    rejected.add(f.row)
                continue
            values = {"supplier_id": found.supplier_id, "_scheme": get_scheme(found.scheme), "_indicators": [],
                      "_keep": True}
            valid.append((audit_in, values))
            continue
        before = len(errors)
        values = _validate_audit(audit_in, suppliers, errors)
        if values is None:
            # Every other row of the rejected audit (its findings) is reported too, with the cause.
            cause = errors[before] if len(errors) > before else {"column": None, "reason": "invalid audit"}
            others = [r for r in dict.fromkeys([*audit_in.rows, *(f.row for f in audit_in.findings)])
                      if r != audit_in.row and r not in rejected]
            for r in others:
                _err(errors, r, cause["column"], f"audit {audit_in.ref!r} rejected (row {audit_in.row}): {cause['reason']}")
            rejected.update(audit_in.rows)
            rejected.update(f.row for f in audit_in.findings)
            continue
        valid.append((audit_in, values))

    # Audits: insert the new ones in bulk, update the changed ones in place.
    new_rows: list[dict[str, Any]] = []
    for audit_in, values in valid:
        if values.get("_keep"):
            continue
        row = {k: values[k] for k in _AUDIT_FIELDS}
        current = existing.get(audit_in.ref)
        if current is None:
            new_rows.append({"external_ref": audit_in.ref, "import_batch_id": batch_id, **row})
            stats["audits_created"] += 1
            mark([audit_in.row], "created")
            touched_suppliers.add(values["supplier_id"])
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            current.import_batch_id = batch_id
            stats["audits_updated"] += 1
            mark([audit_in.row], "updated")
            touched_suppliers.add(values["supplier_id"])
        else:
            stats["audits_unchanged"] += 1
            mark([audit_in.row], "unchanged")
    audit_ids: dict[str, int] = {ref: a.id for ref, a in existing.items()}
    for chunk in _chunks(new_rows, 2000):
        result = session.execute(
            Audit.__table__.insert().returning(Audit.id, Audit.external_ref), list(chunk))
        audit_ids.update({ref: id_ for id_, ref in result})

    # Findings and SME indicator points of stored audits.
    ids = [audit_ids[a.ref] for a, _ in valid if a.ref in existing]
    # Existing findings as plain tuples (cheaper than ORM objects at 100,000s of rows).
    old_findings: dict[tuple[int, str], tuple[Any, ...]] = {}
    finding_cols = [AuditFinding.id, AuditFinding.audit_id, AuditFinding.finding_ref,
                    *(getattr(AuditFinding, k) for k in _FINDING_FIELDS)]
    old_scores: dict[tuple[int, str], SmeIndicatorScore] = {}
    for chunk in _chunks(ids):
        for row in session.execute(select(*finding_cols).where(AuditFinding.audit_id.in_(chunk))):
            old_findings[(row[1], row[2])] = tuple(row)
        for s in session.scalars(select(SmeIndicatorScore).where(SmeIndicatorScore.audit_id.in_(chunk))):
            old_scores[(s.audit_id, s.indicator_code)] = s
    new_findings: list[dict[str, Any]] = []
    changed_findings: list[dict[str, Any]] = []
    new_scores: list[dict[str, Any]] = []
    for audit_in, values in valid:
        audit_id = audit_ids[audit_in.ref]
        scheme: Scheme = values["_scheme"]
        seen: dict[str, Any] = {}
        for seq, finding_in in enumerate(audit_in.findings, start=1):
            f = _validate_finding(finding_in, scheme, seq, errors)
            if f is None:
                rejected.add(finding_in.row)
                continue
            ref = f.pop("finding_ref")
            if ref in seen:
                _err(errors, finding_in.row, "finding_ref",
                     f"duplicate finding_ref {ref!r} in audit {audit_in.ref!r} (first on row {seen[ref]})")
                rejected.add(finding_in.row)
                continue
            seen[ref] = finding_in.row
            current_f = old_findings.get((audit_id, ref))
            if current_f is None:
                new_findings.append({"audit_id": audit_id, "supplier_id": values["supplier_id"], "finding_ref": ref,
                                     "import_batch_id": batch_id, **f})
                stats["findings_created"] += 1
                mark([finding_in.row], "created")
                touched_suppliers.add(values["supplier_id"])
            elif current_f[3:] != tuple(f[k] for k in _FINDING_FIELDS):
                changed_findings.append({"id": current_f[0], "import_batch_id": batch_id, "updated_at": utcnow(),
                                         **{k: f[k] for k in _FINDING_FIELDS}})
                stats["findings_updated"] += 1
                mark([finding_in.row], "updated")
                touched_suppliers.add(values["supplier_id"])
            else:
                stats["findings_unchanged"] += 1
                mark([finding_in.row], "unchanged")
        for code, points, top, row in values["_indicators"]:
            current_s = old_scores.get((audit_id, code))
            if current_s is None:
                new_scores.append({"audit_id": audit_id, "indicator_code": code, "points": points, "max_points": top})
                mark([row], "created")
            elif current_s.points != points or current_s.max_points != top:
                current_s.points, current_s.max_points = points, top
                mark([row], "updated")
            else:
                mark([row], "unchanged")
    for chunk in _chunks(new_findings, 5000):
        session.execute(AuditFinding.__table__.insert(), list(chunk))
    for chunk in _chunks(changed_findings, 5000):
        session.execute(update(AuditFinding), list(chunk))  # ORM bulk UPDATE by primary key
    for chunk in _chunks(new_scores, 5000):
        session.execute(SmeIndicatorScore.__table__.insert(), list(chunk))
    for chunk in _chunks(sorted(touched_suppliers)):
        session.execute(update(Supplier).where(Supplier.id.in_(chunk)).values(needs_rescore=True))
    session.flush()

    counted = {r: o for r, o in outcome.items() if r not in rejected}
    counts = {
        "total": parsed.rows_total,
        "created": sum(1 for o in counted.values() if o == "created"),
        "updated": sum(1 for o in counted.values() if o == "updated"),
        "rejected": len(rejected),
        **stats,
    }
    counts["unchanged"] = max(0, counts["total"] - counts["created"] - counts["updated"] - counts["rejected"])
    errors.sort(key=lambda e: _row_sort_key(e["row"]))
    return {"counts": counts, "errors": errors, "suppliers_marked": len(touched_suppliers)}


def _row_sort_key(row: Any) -> tuple[Any, ...]:
    if isinstance(row, int):
        return ("", row, "")
    text = str(row)
    head, _, tail = text.partition(":") if ":" in text else ("", "", text)
    num = "".join(ch for ch in tail.split(".")[0] if ch.isdigit())
    return (head, int(num) if num else 0, text)


def import_audits(session: Session, settings: Settings, path: Path | str, *, source: str = "cli",
                  created_by: str | None = None, file_name: str | None = None) -> ImportBatch:
    """Import an audit file (CSV, XLSX or JSON); returns the finished :class:`ImportBatch`.

    The original is retained under ``settings.raw_dir``; rows that cannot be taken are listed
    in ``batch.errors`` as ``{"row", "column", "reason"}``; a file that is not a table (or not
    JSON) gives a batch with status ``failed`` and ``batch.error`` set. The caller commits.
    """
    from riskradar.services.imports import finish_batch, start_batch
    from scrapers.tabular import NotATableError

    path = Path(path)
    batch = start_batch(session, settings, KIND, path, source=source, created_by=created_by, file_name=file_name)
    try:
        parsed = read_audit_file(path, max_bytes=settings.max_import_bytes, name=file_name)
    except (AuditFileError, NotATableError) as exc:
        return finish_batch(session, batch, [], {}, error=str(exc))
    outcome = store_audits(session, parsed, batch.id)
    return finish_batch(session, batch, outcome["errors"], outcome["counts"])
