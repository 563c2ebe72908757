"""The supplier registry: bulk import (upsert by ERP reference), listing and lookup.

Import accepts CSV (UTF-8, UTF-8 BOM, GB18030) or XLSX with Chinese or English headers
(供应商编码 / Supplier ID, 供应商名称 / Supplier name, 国家 / Country ...). Rows are matched by
external reference: new ones are created, changed ones updated, identical ones left alone
(``updated_at`` untouched), so importing the same file twice changes nothing. Every rejected
row is reported as ``{"row", "column", "reason", "value"}``; valid rows around it are kept.
Parent references are resolved after all rows are read, so a parent may come later in the file.

Designed for 100,000-row files: the file is streamed, existing suppliers are fetched in
chunks by reference, and rows are written with chunked Core ``INSERT``/``UPDATE`` executemany
(no per-row ORM objects or flushes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from riskradar.countries import to_alpha2
from riskradar.domain import ImportBatch, Supplier, utcnow
from riskradar.domain.base import CRITICALITIES, SUPPLIER_STATUSES
from riskradar.names import has_cjk
from riskradar.services.name_search import clean_query, name_condition
from riskradar.settings import Settings

KIND = "suppliers"
CHUNK = 2000
MAX_TIER_LEVEL = 3  # 1 = direct, 2 = sub-supplier of a tier-1, 3 = raw-material / deeper tier

# Canonical field -> header spellings accepted (compared after _header_key folding).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "external_ref": ("供应商编码", "供应商代码", "供应商编号", "供应商id", "编码", "代码", "编号", "supplier id",
                     "supplier code", "supplier no", "supplier number", "vendor id", "vendor code", "vendor no",
                     "vendor number", "external ref", "external_ref", "ref", "erp code", "erp id", "id"),
    "name": ("供应商名称", "供应商", "名称", "公司名称", "企业名称", "supplier name", "supplier", "vendor name",
             "vendor", "name", "company name", "company"),
    "name_zh": ("中文名称", "中文名", "供应商中文名称", "name_zh", "chinese name", "name zh", "name (zh)"),
    "name_en": ("英文名称", "英文名", "供应商英文名称", "name_en", "english name", "name en", "name (en)"),
    "short_name": ("简称", "供应商简称", "公司简称", "short name", "short_name", "abbreviation", "abbr"),
    "aliases": ("别名", "曾用名", "其他名称", "aliases", "alias", "aka", "other names", "also known as"),
    "country": ("国家", "国家/地区", "国家地区", "国别", "所在国家", "country", "country code",
                "country/region", "country or region"),
    "region": ("省份", "地区", "省份/地区", "省/州", "省市", "所在地区", "所在省份", "region", "province",
               "state", "province/state", "state/province"),
    "industry": ("行业", "所属行业", "行业类别", "industry", "sector"),
    "products": ("产品", "主要产品", "供应产品", "物料", "采购品类", "品类", "products", "product", "commodity",
                 "main products", "category"),
    "annual_spend": ("年采购额", "采购金额", "年度采购额", "采购额", "年采购金额", "annual spend", "spend",
                     "annual_spend", "annual purchase", "purchase amount", "annual purchases"),
    "currency": ("币种", "货币", "currency"),
    "criticality": ("关键程度", "重要程度", "关键性", "重要性", "criticality", "importance"),
    "tier_level": ("层级", "供应商层级", "级别", "tier", "tier level", "tier_level"),
    "parent_ref": ("上级供应商", "上级供应商编码", "上级编码", "母公司编码", "一级供应商", "一级供应商编码", "parent",
                   "parent ref", "parent_ref", "parent supplier", "parent id", "parent supplier id"),
    "status": ("状态", "供应商状态", "合作状态", "status", "lifecycle status", "supplier status"),
    "contact_email": ("联系邮箱", "邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "contact email", "contact_email",
                      "csr email"),
}
# The header label used in messages when a required column is missing.
_LABELS = {"external_ref": "供应商编码 / Supplier ID", "name": "供应商名称 / Supplier name",
           "country": "国家 / Country"}

_CRITICALITY_WORDS = {
    "low": "low", "低": "low", "一般": "low", "l": "low",
    "medium": "medium", "med": "medium", "中": "medium", "中等": "medium", "普通": "medium", "m": "medium",
    "high": "high", "高": "high", "关键": "high", "重要": "high", "critical": "high", "h": "high",
    "single_source": "single_source", "single source": "single_source", "single-source": "single_source",
    "sole source": "single_source", "单一来源": "single_source", "独家": "single_source", "独家供应": "single_source",
    "唯一供应商": "single_source", "唯一来源": "single_source",
}
_STATUS_WORDS = {
    "prospect": "prospect", "潜在": "prospect", "潜在供应商": "prospect", "候选": "prospect",
    "onboarding": "onboarding", "准入中": "onboarding", "审核中": "onboarding", "导入中": "onboarding",
    "试用": "onboarding", "新供应商": "onboarding",
    "active": "active", "合格": "active", "在用": "active", "正常": "active", "活跃": "active", "合作中": "active",
    "approved": "active",
    "suspended": "suspended", "暂停": "suspended", "冻结": "suspended", "停止合作": "suspended",
    "exited": "exited", "淘汰": "exited", "退出": "exited", "停用": "exited", "inactive": "exited",
    "terminated": "exited",
}
_TIER_WORDS = {"一级": 1, "二级": 2, "三级": 3, "一": 1, "二": 2, "三": 3}
_CURRENCY_WORDS = {"人民币": "CNY", "rmb": "CNY", "元": "CNY", "美元": "USD", "us$": "USD", "$": "USD",
                   "欧元": "EUR", "€": "EUR", "港币": "HKD", "港元": "HKD", "日元": "JPY", "英镑": "GBP",
                   "新台币": "TWD", "韩元": "KRW", "¥": "CNY", "￥": "CNY"}
_ALIAS_SPLIT = re.compile(r"[;；，|、\n]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPEND_CLEAN = re.compile(r"[\s,，¥￥$€£]|rmb|cny|usd|eur|元", re.IGNORECASE)

# Columns written by the importer, in a fixed order (for executemany).
FIELDS: tuple[str, ...] = ("name_zh", "name_en", "short_name", "aliases", "country", "region", "industry",
                           "products", "annual_spend", "currency", "criticality", "tier_level", "status",
                           "contact_email")
_DEFAULTS: dict[str, Any] = {"aliases": (), "criticality": "medium", "tier_level": 1, "status": "active"}


class SupplierFileError(ValueError):
    """The file is a table but not a supplier list (e.g. no supplier ID or name column)."""


def _header_key(label: str) -> str:
    text = unicodedata.normalize("NFKC", label).casefold().strip().lstrip("*").rstrip("*:：").strip()
    return re.sub(r"[\s_\-]+", " ", text)


_ALIAS_INDEX: dict[str, str] = {_header_key(a): field_ for field_, aliases in HEADER_ALIASES.items() for a in aliases}


def map_headers(headers: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """({canonical field: column index}, [ignored headers]) for a header row.

    ``"年采购额(元)"`` / ``"Annual spend (USD)"`` match by the part before the bracket too.
    The first column that maps to a field wins.
    """
    mapping: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        key = _header_key(header)
        canonical = _ALIAS_INDEX.get(key)
        if canonical is None:
            head = re.split(r"[(（\[]", key, maxsplit=1)[0].strip()
            canonical = _ALIAS_INDEX.get(head)
        if canonical is None or canonical in mapping:
            ignored.append(header)
            continue
        mapping[canonical] = index
    return mapping, ignored


# --- value parsing (each raises ValueError with the reason) -------------------------------------

def parse_spend(raw: str) -> float | None:
    """``"1,234.50"``, ``"¥120万"``, ``"3.5亿"`` -> float; empty -> None; negative or text -> ValueError."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    factor = 1.0
    if text.endswith("万"):
        factor, text = 10_000.0, text[:-1]
    elif text.endswith("亿"):
        factor, text = 100_000_000.0, text[:-1]
    cleaned = _SPEND_CLEAN.sub("", text)
    try:
        value = float(cleaned) * factor
    except ValueError:
        raise ValueError(f"annual spend {raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"annual spend {raw!r} is not a number")
    if value < 0:
        raise ValueError(f"negative annual spend {raw!r}")
    if value >= 1e16:
        raise ValueError(f"annual spend {raw!r} is implausibly large")
    return round(value, 2)


@lru_cache(maxsize=256)
def parse_tier(raw: str) -> int:
    """``"1"``, ``"2"``, ``"二级"``, ``"Tier 2"``, ``"T2"`` -> int in 1..MAX_TIER_LEVEL."""
    text = unicodedata.normalize("NFKC", raw).strip().casefold()
    if not text:
        return 1
    if text in _TIER_WORDS:
        return _TIER_WORDS[text]
    digits = re.fullmatch(r"(?:tier|t|n)?\s*[-_]?\s*(\d+)(?:\.0+)?(?:级)?", text)
    if digits:
        level = int(digits.group(1))
        if 1 <= level <= MAX_TIER_LEVEL:
            return level
    raise ValueError(f"bad tier level {raw!r}: expected 1 (direct) or 2 (sub-supplier), at most {MAX_TIER_LEVEL}")


def parse_choice(raw: str, words: dict[str, str], allowed: Sequence[str], what: str, default: str) -> str:
    """Map a zh/en word to one of ``allowed``; empty -> ``default``."""
    text = unicodedata.normalize("NFKC", raw).strip().casefold()
    if not text:
        return default
    value = words.get(text) or words.get(text.replace("_", " "))
    if value is None and text in allowed:
        value = text
    if value is None:
        raise ValueError(f"unknown {what} {raw!r}: expected one of {', '.join(allowed)}")
    return value


@lru_cache(maxsize=1024)
def parse_currency(raw: str) -> str | None:
    """ISO 4217 code from ``"usd"``, ``"人民币"``, ``"RMB"`` ...; empty -> None."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    mapped = _CURRENCY_WORDS.get(text.casefold()) or _CURRENCY_WORDS.get(text)
    if mapped:
        return mapped
    if re.fullmatch(r"[A-Za-z]{3}", text):
        import pycountry

        if pycountry.currencies.get(alpha_3=text.upper()):
            return text.upper()
    raise ValueError(f"unknown currency {raw!r}: use an ISO code such as CNY, USD, EUR")


def split_aliases(raw: str) -> list[str]:
    """Aliases separated by ``;`` ``；`` ``，`` ``|`` ``、`` or new lines (ASCII commas stay: "Co., Ltd.")."""
    seen: list[str] = []
    for part in _ALIAS_SPLIT.split(raw or ""):
        part = part.strip()
        if part and part not in seen:
            seen.append(part[:255])
    return seen


_criticality = lru_cache(maxsize=256)(
    lambda v: parse_choice(v, _CRITICALITY_WORDS, CRITICALITIES, "criticality", "medium"))
_status = lru_cache(maxsize=256)(lambda v: parse_choice(v, _STATUS_WORDS, SUPPLIER_STATUSES, "status", "active"))
_alpha2 = lru_cache(maxsize=4096)(to_alpha2)  # a file repeats a few dozen spellings 100,000 times


# --- import --------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Parsed:
    number: int
    ref: str
    values: dict[str, Any]
    parent_ref: str | None


@dataclass
class ImportReport:
    """What one import did (also stored on the batch)."""

    counts: dict[str, int] = field(default_factory=lambda: {"total": 0, "created": 0, "updated": 0,
                                                             "unchanged": 0, "rejected": 0})
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    parent_header: str = "parent_ref"
    has_parent_column: bool = False

    def reject(self, row: int, column: str | None, reason: str, value: str | None = None) -> None:
        entry: dict[str, Any] = {"row": row, "column": column, "reason": reason}
        if value is not None:
            entry["value"] = value[:100]
        self.errors.append(entry)


class _Cells(dict):  # type: ignore[type-arg]
    """{field: cell text} of one row; a column the file lacks reads as ""."""

    def __missing__(self, key: str) -> str:
        return ""


def _parse_row(number: int, cells: list[str], cols: dict[str, int], headers: Sequence[str],
               report: ImportReport) -> _Parsed | None:
    """Validate one row; on the first problem record it and return None."""
    width = len(cells)
    got = _Cells({name: cells[index] for name, index in cols.items() if index < width})

    def header(name: str) -> str:
        return headers[cols[name]] if name in cols else _LABELS.get(name, name)

    ref = got["external_ref"]
    if not ref:
        report.reject(number, header("external_ref"), "missing supplier ID (external reference)")
        return None
    if len(ref) > 64:
        report.reject(number, header("external_ref"), "supplier ID longer than 64 characters", ref)
        return None
    values: dict[str, Any] = {}
    name_zh, name_en, generic = got["name_zh"], got["name_en"], got["name"]
    aliases = split_aliases(got["aliases"])
    if generic:
        if has_cjk(generic) and not name_zh:
            name_zh = generic
        elif not has_cjk(generic) and not name_en:
            name_en = generic
        elif generic not in (name_zh, name_en) and generic not in aliases:
            aliases.append(generic)
    if not name_zh and not name_en:
        name_col = "name" if "name" in cols else ("name_zh" if "name_zh" in cols else "name_en")
        report.reject(number, header(name_col), "missing supplier name")
        return None
    for key, value in (("name_zh", name_zh), ("name_en", name_en)):
        if len(value) > 255:
            report.reject(number, header(key if key in cols else "name"), "name longer than 255 characters", value)
            return None
    # A name column the file does not have leaves the stored name alone (a Chinese-only list
    # must not wipe English names imported earlier).
    if name_zh or "name_zh" in cols:
        values["name_zh"] = name_zh or None
    if name_en or "name_en" in cols:
        values["name_en"] = name_en or None
    if "short_name" in cols:
        values["short_name"] = got["short_name"][:128] or None
    aliases = [a for a in aliases if a not in (name_zh, name_en)]
    if "aliases" in cols or aliases:
        values["aliases"] = aliases
    country_raw = got["country"]
    if not country_raw:
        report.reject(number, header("country"), "missing country")
        return None
    try:
        values["country"] = _alpha2(country_raw)
    except ValueError as exc:
        report.reject(number, header("country"), str(exc), country_raw)
        return None
    for key, limit in (("region", 128), ("industry", 64)):
        if key in cols:
            values[key] = got[key][:limit] or None
    if "products" in cols:
        values["products"] = got["products"] or None
    parsers: list[tuple[str, Callable[[str], Any]]] = [
        ("annual_spend", parse_spend), ("currency", parse_currency),
        ("criticality", _criticality), ("tier_level", parse_tier), ("status", _status),
    ]
    for key, parse in parsers:
        if key in cols:
            raw = got[key]
            try:
                values[key] = parse(raw)
            except ValueError as exc:
                report.reject(number, header(key), str(exc), raw)
                return None
    if "contact_email" in cols:
        email = got["contact_email"]
        if email and (len(email) > 255 or not _EMAIL.match(email)):
            report.reject(number, header("contact_email"), f"invalid email address {email!r}", email)
            return None
        values["contact_email"] = email or None
    parent = got["parent_ref"] or None
    if parent == ref:
        report.reject(number, header("parent_ref"), "a supplier cannot be its own parent", parent)
        return None
    if parent:
        if got["tier_level"] and values.get("tier_level") == 1:
            report.reject(number, header("parent_ref"), "a tier-1 supplier cannot have a parent supplier "
                          "(set the tier level to 2)", parent)
            return None
        if not got["tier_level"]:
            values["tier_level"] = 2  # a parent implies a sub-supplier when the tier is not given
    return _Parsed(number, ref, values, parent)


def _existing_ids(session: Session, refs: Sequence[str]) -> dict[str, int]:
    """{ref: id} for the suppliers among ``refs`` (chunked IN queries; small, unlike full rows)."""
    table = Supplier.__table__
    found: dict[str, int] = {}
    for start in range(0, len(refs), CHUNK):
        query = select(table.c.external_ref, table.c.id).where(table.c.external_ref.in_(refs[start:start + CHUNK]))
        found.update((ref, id_) for ref, id_ in session.execute(query))
    return found


def _existing(session: Session, refs: Sequence[str], columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """{ref: {id, parent_id, columns...}} for the suppliers among ``refs`` (chunked IN queries)."""
    table = Supplier.__table__
    cols = [table.c.id, table.c.external_ref, table.c.parent_id] + [table.c[c] for c in columns]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(refs), CHUNK):
        chunk = refs[start:start + CHUNK]
        for row in session.execute(select(*cols).where(table.c.external_ref.in_(chunk))).mappings():
            found[row["external_ref"]] = dict(row)
    return found


def _insert_many(session: Session, table: Any, names: Sequence[str], rows: list[list[Any]],
                 constants: dict[str, Any]) -> None:
    """executemany INSERT of ``rows`` (value lists in ``names`` order) plus ``constants`` on every row.

    On SQLite the statement goes straight to the driver with values converted by each column's
    own bind processor (the same conversion SQLAlchemy applies; constants converted once),
    which halves the cost of a 100,000-row import; other databases use a Core insert.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(insert(table), [{**dict(zip(names, row)), **constants} for row in rows])
        return

    def processor(name: str) -> Callable[[Any], Any] | None:
        return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    fixed = [(v if v is None or processor(n) is None else processor(n)(v)) for n, v in constants.items()]
    converters = [(i, proc) for i, n in enumerate(names) if (proc := processor(n)) is not None]
    for row in rows:
        for i, proc in converters:
            if row[i] is not None:
                row[i] = proc(row[i])
        row.extend(fixed)
    all_names = [*names, *constants]
    sql = f"INSERT INTO {table.name} ({', '.join(all_names)}) VALUES ({', '.join('?' * len(all_names))})"
    conn.exec_driver_sql(sql, [tuple(row) for row in rows])


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        if old is None or new is None:
            return old is new
        return abs(float(old) - float(new)) < 0.005
    if isinstance(old, list) or isinstance(new, list):
        return list(old or []) == list(new or [])
    return old == new


def import_suppliers(session: Session, settings: Settings, path: Path | str, *, source: str = "cli",
                     created_by: str | None = None, progress: Callable[[int, int], None] | None = None,
                     file_name: str | None = None) -> ImportBatch:
    """Import a supplier CSV/XLSX file; returns the finished :class:`ImportBatch` (caller commits).

    A file that is not a table (or has no supplier ID / name / country column) gives a batch
    with status ``failed`` and ``error`` set, and nothing else changes. Otherwise valid rows are
    created or updated (``needs_rescore`` set), and each rejected row is listed in
    ``batch.errors``. ``progress(done, total)`` is called while rows are written.
    """
    from riskradar.services.imports import finish_batch, start_batch
    from scrapers.tabular import NotATableError

    path = Path(path)
    batch = start_batch(session, settings, KIND, path, source=source, created_by=created_by, file_name=file_name)
    report = ImportReport()
    try:
        parsed = _read_file(path, settings.max_import_bytes, report)
    except (NotATableError, SupplierFileError) as exc:
        return finish_batch(session, batch, [], {}, error=str(exc))
    _write(session, parsed, report, batch.id, progress)
    report.errors.sort(key=lambda e: (e["row"] if isinstance(e["row"], int) else 0))
    return finish_batch(session, batch, report.errors, report.counts)


def _read_file(path: Path, max_bytes: int, report: ImportReport) -> tuple[list[_Parsed], set[str]]:
    """Parse and validate every row of the supplier sheet; returns (valid rows, columns present).

    The supplier sheet is the first one whose header has the required columns (a workbook may
    start with an instructions sheet); when none has, the first sheet's problem is reported.
    """
    from scrapers.tabular import iter_sheets

    problems: list[str] = []
    for sheet in iter_sheets(path, max_bytes=max_bytes):
        cols, ignored = map_headers(sheet.headers)
        report.ignored_columns = ignored
        missing = [f for f in ("external_ref", "country") if f not in cols]
        if not any(f in cols for f in ("name", "name_zh", "name_en")):
            missing.insert(1, "name")
        if missing:
            where = f"{path.name}" + (f" (sheet {sheet.name!r})" if sheet.name != path.stem else "")
            if len(missing) == 3:
                problems.append(
                    f"{where}: no supplier columns recognised in the header {sheet.headers[:8]}; expected "
                    f"columns such as 供应商编码/Supplier ID, 供应商名称/Supplier name, 国家/Country")
            else:
                problems.append(f"{where}: required column(s) missing: {', '.join(_LABELS[m] for m in missing)}")
            continue
        rows: list[_Parsed] = []
        first_seen: dict[str, int] = {}
        ref_header = sheet.headers[cols["external_ref"]]
        for number, cells in sheet.rows:
            report.counts["total"] += 1
            row = _parse_row(number, cells, cols, sheet.headers, report)
            if row is None:
                continue
            if row.ref in first_seen:
                report.reject(number, ref_header, f"duplicate supplier ID {row.ref!r} in the file "
                              f"(first in row {first_seen[row.ref]})", row.ref)
                continue
            first_seen[row.ref] = number
            rows.append(row)
        present = {f for f in FIELDS if f in cols} | {"name_zh", "name_en", "country"}
        if "name" in cols:
            present.add("aliases")  # a second name in the generic column lands in aliases
        if "parent_ref" in cols:
            present.add("tier_level")  # a parent implies tier 2
            report.has_parent_column = True
            report.parent_header = sheet.headers[cols["parent_ref"]]
        return rows, present
    raise SupplierFileError(problems[0] if problems else f"{path.name}: no sheet with a header row")


def _write(session: Session, parsed_and_present: tuple[list[_Parsed], set[str]], report: ImportReport,
           batch_id: int, progress: Callable[[int, int], None] | None) -> None:
    """Upsert the valid rows in chunks; resolve parents; count created/updated/unchanged."""
    rows, present = parsed_and_present
    if session.get_bind().dialect.name == "sqlite":
        # A bigger page cache keeps the name indexes in memory during a bulk insert (per connection).
        session.execute(text("PRAGMA cache_size=-65536"))
    columns = [c for c in FIELDS if c in present]
    table = Supplier.__table__
    existing = _existing_ids(session, [r.ref for r in rows])

    # Parents: in the file (valid rows) or already in the database. Rejecting a row for an
    # unknown parent can orphan its own children, so repeat until nothing changes.
    parent_refs = {r.parent_ref for r in rows if r.parent_ref}
    db_parents = _existing_ids(session, sorted(parent_refs - {r.ref for r in rows}))
    parent_header = report.parent_header
    valid = {r.ref for r in rows}
    changed = True
    while changed:
        changed = False
        for r in rows:
            if r.ref in valid and r.parent_ref and r.parent_ref not in valid and r.parent_ref not in db_parents \
                    and r.parent_ref not in existing:
                valid.discard(r.ref)
                report.reject(r.number, parent_header, f"unknown parent supplier {r.parent_ref!r}: not in the "
                              f"file (or rejected there) and not in the registry", r.parent_ref)
                changed = True
    rows = [r for r in rows if r.ref in valid]
    report.counts["rejected"] = report.counts["total"] - len(rows)

    now = utcnow()
    total = len(rows)
    done = 0
    new_rows = [r for r in rows if r.ref not in existing]
    ref_ids: dict[str, int] = {**existing, **db_parents}

    insert_names = ["external_ref", *FIELDS]
    constants = {"parent_id": None, "needs_rescore": True, "import_batch_id": batch_id, "created_at": now,
                 "updated_at": now}
    sqlite = session.get_bind().dialect.name == "sqlite"
    # SQLite hands out ids above the current maximum, and a reference is unique, so the rows above
    # it carrying our references are ours: one query instead of one IN (...) per chunk.
    max_before = (session.scalar(select(func.max(table.c.id))) or 0) if sqlite else 0
    for start in range(0, len(new_rows), CHUNK):
        chunk = new_rows[start:start + CHUNK]
        values = [[r.ref, *(r.values.get(c, _DEFAULTS.get(c)) for c in FIELDS)] for r in chunk]
        _insert_many(session, table, insert_names, values, constants)
        if not sqlite:
            query = select(table.c.external_ref, table.c.id).where(table.c.external_ref.in_([r.ref for r in chunk]))
            ref_ids.update((ref, id_) for ref, id_ in session.execute(query))
        done += len(chunk)
        if progress:
            progress(done, total)
    if sqlite and new_rows:
        new_refs = {r.ref for r in new_rows}
        query = select(table.c.external_ref, table.c.id).where(table.c.id > max_before)
        ref_ids.update((ref, id_) for ref, id_ in session.execute(query) if ref in new_refs)
    report.counts["created"] = len(new_rows)

    # New rows with a parent: set parent_id now that every id is known.
    # created_at == updated_at stays true for them: the parent is part of their creation.
    parent_params = [{"_id": ref_ids[r.ref], "parent_id": ref_ids[r.parent_ref], "updated_at": now}
                     for r in new_rows if r.parent_ref]
    if sqlite and parent_params:
        dialect = session.get_bind().dialect
        stamp = table.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)(now)
        session.connection().exec_driver_sql(f"UPDATE {table.name} SET parent_id = ?, updated_at = ? WHERE id = ?",
                                             [(p["parent_id"], stamp, p["_id"]) for p in parent_params])
    elif parent_params:
        update_parent = update(table).where(table.c.id == bindparam("_id")).values(
            parent_id=bindparam("parent_id"), updated_at=bindparam("updated_at"))
        for start in range(0, len(parent_params), CHUNK):
            session.execute(update_parent, parent_params[start:start + CHUNK])

    # Existing rows, a chunk at a time (stored values are fetched per chunk to keep memory flat):
    # compare the columns the file has (and the parent), update only real changes.
    parent_in_file = report.has_parent_column
    stmt = update(table).where(table.c.id == bindparam("_id")).values(
        **{c: bindparam(c) for c in [*columns, "parent_id", "needs_rescore", "import_batch_id", "updated_at"]})
    old_rows = [r for r in rows if r.ref in existing]
    for start in range(0, len(old_rows), CHUNK):
        chunk = old_rows[start:start + CHUNK]
        stored = _existing(session, [r.ref for r in chunk], columns)
        updates: list[dict[str, Any]] = []
        for r in chunk:
            old = stored[r.ref]
            new_values = {c: r.values[c] if c in r.values else old[c] for c in columns}
            new_parent = ref_ids.get(r.parent_ref) if r.parent_ref else (None if parent_in_file
                                                                          else old["parent_id"])
            if all(_same(old[c], new_values[c]) for c in columns) and old["parent_id"] == new_parent:
                report.counts["unchanged"] += 1
                continue
            new_values.update(_id=old["id"], parent_id=new_parent, needs_rescore=True, import_batch_id=batch_id,
                              updated_at=now)
            updates.append(new_values)
        if updates:
            session.execute(stmt, updates)
        report.counts["updated"] += len(updates)
        done += len(chunk)
        if progress:
            progress(done, total)
    if progress:
        progress(total, total)
    session.flush()


# --- queries ---------------------------------------------------------------------------------------

SORTS = {
    "name": (func.coalesce(Supplier.name_zh, Supplier.name_en), Supplier.id),
    "ref": (Supplier.external_ref,),
    "spend": (Supplier.annual_spend.desc().nulls_last(), Supplier.id),
    "risk": (Supplier.risk_score.desc().nulls_last(), Supplier.id),
    "country": (Supplier.country, Supplier.id),
    "updated": (Supplier.updated_at.desc(), Supplier.id),
}


def list_suppliers(session: Session, *, country: str | None = None, tier: str | int | None = None,
                   industry: str | None = None, region: str | None = None, q: str | None = None,
                   status: str | None = None, sort: str = "name", limit: int = 50,
                   offset: int = 0) -> tuple[list[Supplier], int]:
    """Suppliers matching the filters, and how many match in total.

    ``country`` accepts a code or a zh/en name (ValueError when unknown); ``tier`` is a risk tier
    (``low``/``medium``/``high``/``red_line``) or a tier level (``1``/``2``); ``industry`` and
    ``region`` match case-insensitively; ``q`` searches reference, names, short name and aliases.
    """
    query = select(Supplier)
    if country:
        query = query.where(Supplier.country == to_alpha2(country))
    if tier not in (None, ""):
        text = str(tier).strip().lower()
        if text.isdigit():
            query = query.where(Supplier.tier_level == int(text))
        else:
            query = query.where(Supplier.risk_tier == text)
    if industry:
        query = query.where(func.lower(Supplier.industry) == industry.strip().lower())
    if region:
        query = query.where(func.lower(Supplier.region) == region.strip().lower())
    if status:
        query = query.where(Supplier.status == status)
    if q and clean_query(q):
        query = query.where(name_condition(q))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    order = SORTS.get(sort)
    if order is None:
        raise ValueError(f"unknown sort {sort!r}: expected one of {', '.join(SORTS)}")
    items = list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))
    return items, int(total)


def get_supplier(session: Session, ref_or_id: str | int) -> Supplier | None:
    """A supplier by external reference, or by numeric id when no reference matches."""
    text = str(ref_or_id).strip()
    found = session.scalars(select(Supplier).where(Supplier.external_ref == text)).first()
    if found is None and text.isdigit():
        found = session.get(Supplier, int(text))
    return found


def supplier_summary(supplier: Supplier) -> dict[str, Any]:
    """Plain-data view of a supplier for ``--json`` output and the API."""
    return {
        "id": supplier.id, "external_ref": supplier.external_ref, "name_zh": supplier.name_zh,
        "name_en": supplier.name_en, "short_name": supplier.short_name, "aliases": list(supplier.aliases or []),
        "country": supplier.country, "region": supplier.region, "industry": supplier.industry,
        "products": supplier.products, "annual_spend": supplier.annual_spend, "currency": supplier.currency,
        "criticality": supplier.criticality, "tier_level": supplier.tier_level,
        "parent_ref": supplier.parent.external_ref if supplier.parent_id and supplier.parent else None,
        "status": supplier.status, "contact_email": supplier.contact_email, "risk_score": supplier.risk_score,
        "risk_tier": supplier.risk_tier, "needs_rescore": supplier.needs_rescore,
        "updated_at": supplier.updated_at,
    }


def count_suppliers(session: Session) -> int:
    """Number of suppliers in the registry."""
    return int(session.scalar(select(func.count(Supplier.id))) or 0)


def suppliers_by_refs(session: Session, refs: Iterable[str]) -> dict[str, Supplier]:
    """{external_ref: Supplier} for the given references (chunked)."""
    refs = list(dict.fromkeys(refs))
    found: dict[str, Supplier] = {}
    for start in range(0, len(refs), CHUNK):
        for s in session.scalars(select(Supplier).where(Supplier.external_ref.in_(refs[start:start + CHUNK]))):
            found[s.external_ref] = s
    return found
