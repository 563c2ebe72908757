"""Audit schemes normalised into one model: scheme code, score range, grade, result, severity.

Each scheme is a small class registered with :func:`register`; a new scheme is one class that
implements :meth:`Scheme.map_severity` (and may set class attributes for its score range,
grades and aliases). Finding categories are mapped by :func:`map_category`, which knows the
English and Chinese wordings used in audit reports. Callers always keep the raw values
(``scheme_raw``, ``category_raw``, ``severity_raw``) beside the normalised ones.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from riskradar.domain.base import FINDING_CATEGORIES, RED_LINES, SEVERITIES


class SchemeError(ValueError):
    """A value that the scheme does not accept (the message says which and why)."""


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    """Folded comparison key: NFKC, lower case, separators collapsed to one space."""
    text = unicodedata.normalize("NFKC", str(text)).lower().strip()
    return re.sub(r"[\s_\-/]+", " ", text)


@dataclass(frozen=True)
class Overall:
    """Normalised audit-level outcome."""

    score: float | None
    score_max: float | None
    grade: str | None
    result: str | None


# Severity wordings every scheme understands (after its own, more specific map).
COMMON_SEVERITIES: dict[str, str] = {
    "zero tolerance": "zero_tolerance", "zero_tolerance": "zero_tolerance", "zt": "zero_tolerance",
    "critical": "zero_tolerance", "red line": "zero_tolerance", "redline": "zero_tolerance",
    "零容忍": "zero_tolerance", "红线": "zero_tolerance", "严重违规": "zero_tolerance", "关键": "zero_tolerance",
    "major": "major", "high": "major", "serious": "major", "重大": "major", "严重": "major", "主要": "major",
    "高": "major", "major non conformity": "major", "major nc": "major", "major non compliance": "major",
    "minor": "minor", "medium": "minor", "low": "minor", "一般": "minor", "轻微": "minor", "次要": "minor",
    "中": "minor", "低": "minor", "minor non conformity": "minor", "minor nc": "minor",
    "minor non compliance": "minor",
    "observation": "observation", "obs": "observation", "观察": "observation", "观察项": "observation",
    "建议": "observation", "opportunity for improvement": "observation", "ofi": "observation",
    "improvement": "observation", "改进机会": "observation", "info": "observation",
}


class Scheme:
    """One audit scheme. Subclasses implement :meth:`map_severity`; attributes describe the rest."""

    code: ClassVar[str]
    label: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    score_max: ClassVar[float | None] = None  # None: the scheme has no score
    grades: ClassVar[tuple[str, ...]] = ()  # allowed grades (empty: free or none)

    def map_severity(self, raw: str) -> str | None:
        """Scheme-specific severity wording (folded by :func:`_key`) -> SEVERITIES value, or None."""
        raise NotImplementedError

    def severity(self, raw: str | None) -> str:
        """Normalised severity; raises :class:`SchemeError` for an unknown wording."""
        if raw is None or not str(raw).strip():
            raise SchemeError("severity is empty")
        key = _key(raw)
        if key.replace(" ", "_") in SEVERITIES:
            return key.replace(" ", "_")
        found = self.map_severity(key) or COMMON_SEVERITIES.get(key)
        if found is None:
            raise SchemeError(f"unknown severity {raw!r} for scheme {self.code}")
        return found

    def overall(self, score: float | None, score_max: float | None, grade: str | None,
                result: str | None) -> Overall:
        """Validate and normalise the audit-level score, grade and result."""
        top = score_max if score_max is not None else self.score_max
        if score is not None:
            if top is None:
                raise SchemeError(f"scheme {self.code} has no overall score, got {score}")
            if not 0 <= score <= top:
                raise SchemeError(f"score {score} out of range 0–{top:g} for scheme {self.code}")
        if grade and self.grades:
            grade = grade.strip().upper()
            if grade not in self.grades:
                raise SchemeError(f"grade {grade!r} is not one of {', '.join(self.grades)} for scheme {self.code}")
        return Overall(score, top if score is not None else score_max, grade or None, _result(result))

    def finding_status_default(self, severity_raw: str | None) -> str:
        """Status when the file gives none (good-practice notes need no correction)."""
        return "open"


_RESULTS = {
    "pass": "pass", "passed": "pass", "通过": "pass", "合格": "pass", "conform": "pass", "conforming": "pass",
    "conditional": "conditional", "conditional pass": "conditional", "有条件通过": "conditional",
    "fail": "fail", "failed": "fail", "不通过": "fail", "不合格": "fail", "nonconform": "fail",
    "certified": "certified", "已认证": "certified", "认证": "certified", "yes": "certified",
    "not certified": "not_certified", "not_certified": "not_certified", "未认证": "not_certified",
    "no": "not_certified",
}


def _result(raw: str | None) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    key = _key(raw)
    if key not in _RESULTS:
        raise SchemeError(f"unknown result {raw!r} (use pass, conditional, fail, certified, not certified)")
    return _RESULTS[key]


_REGISTRY: dict[str, Scheme] = {}
_SCHEME_WORDS = (("smeta", "smeta"), ("sedex", "smeta"), ("bsci", "bsci"), ("amfori", "bsci"), ("rba", "rba"),
                 ("eicc", "rba"), ("sa ?8000", "sa8000"), ("ipc ?1401", "ipc1401"))
_ALIASES: dict[str, str] = {}


def register(cls: type[Scheme]) -> type[Scheme]:
    """Class decorator adding a scheme (by code and aliases) to the registry."""
    instance = cls()
    _REGISTRY[cls.code] = instance
    for name in (cls.code, cls.label, *cls.aliases):
        _ALIASES[_key(name)] = cls.code
    return cls


def schemes() -> dict[str, Scheme]:
    """All registered schemes by code."""
    return dict(_REGISTRY)


def get_scheme(raw: str | None) -> Scheme:
    """The scheme for a raw name ("RBA VAP", "Sedex SMETA 4-pillar", "amfori BSCI", "SA 8000"...)."""
    if raw is None or not str(raw).strip():
        raise SchemeError("scheme is empty")
    key = _key(raw)
    code = _ALIASES.get(key) or _ALIASES.get(key.replace(" ", ""))
    if code is None:
        # Longer names that contain a scheme's distinctive word ("Sedex SMETA 4-pillar 6.1").
        code = next((c for word, c in _SCHEME_WORDS if re.search(rf"(?<![a-z]){word}(?![a-z])", key)), None)
    if code is None:
        known = ", ".join(sorted(_REGISTRY))
        raise SchemeError(f"unknown scheme {raw!r} (known: {known})")
    return _REGISTRY[code]


@register
class RbaVap(Scheme):
    """RBA Validated Assessment Program: score out of 200; priority / major / minor findings."""

    code = "rba"
    label = "RBA VAP"
    aliases = ("rba", "rba vap", "vap", "eicc", "eicc vap", "responsible business alliance", "rbavap")
    score_max = 200.0
    _map = {"priority": "zero_tolerance", "priority finding": "zero_tolerance", "优先": "zero_tolerance",
            "优先项": "zero_tolerance", "major finding": "major", "minor finding": "minor",
            "risk of nonconformance": "observation", "risk of non conformance": "observation"}

    def map_severity(self, raw: str) -> str | None:
        return self._map.get(raw)

    def overall(self, score, score_max, grade, result):  # type: ignore[no-untyped-def]
        out = super().overall(score, score_max, grade, result)
        if out.grade is None and out.score is not None:
            # RBA recognition levels (Platinum also needs all findings closed, so not derived here).
            grade = "gold" if out.score >= 180 else "silver" if out.score >= 160 else None
            return Overall(out.score, out.score_max, grade, out.result)
        return out


@register
class Smeta(Scheme):
    """Sedex SMETA (2- or 4-pillar): no overall grade; non-compliance / observation / good practice."""

    code = "smeta"
    label = "SMETA"
    aliases = ("sedex", "sedex smeta", "smeta 2 pillar", "smeta 4 pillar", "smeta 6.1", "smeta 7", "smeta 6")
    _map = {"non compliance": "major", "noncompliance": "major", "nc": "major", "不符合": "major",
            "不符合项": "major", "business critical": "zero_tolerance", "critical non compliance": "zero_tolerance",
            "good practice": "observation", "良好实践": "observation", "良好做法": "observation"}

    def map_severity(self, raw: str) -> str | None:
        return self._map.get(raw)

    def finding_status_default(self, severity_raw: str | None) -> str:
        return "closed" if severity_raw and _key(severity_raw) in {"good practice", "良好实践", "良好做法"} else "open"


@register
class AmforiBsci(Scheme):
    """amfori BSCI: overall rating A–E over 13 performance areas; zero-tolerance protocol."""

    code = "bsci"
    label = "amfori BSCI"
    aliases = ("bsci", "amfori", "amfori bsci", "bsci 2.0")
    grades = ("A", "B", "C", "D", "E")
    # Performance-area ratings used as finding severity.
    _map = {"e": "major", "d": "major", "c": "minor", "b": "observation", "a": "observation",
            "zero tolerance protocol": "zero_tolerance", "ztp": "zero_tolerance"}

    def map_severity(self, raw: str) -> str | None:
        return self._map.get(raw)

    def overall(self, score, score_max, grade, result):  # type: ignore[no-untyped-def]
        out = super().overall(score, score_max if score is None else (score_max or 100.0), grade, result)
        if out.result is None and out.grade:
            derived = {"A": "pass", "B": "pass", "C": "pass", "D": "conditional", "E": "fail"}[out.grade]
            return Overall(out.score, out.score_max, out.grade, derived)
        return out


@register
class Sa8000(Scheme):
    """SA8000: certified or not; major / minor non-conformities (critical = zero tolerance)."""

    code = "sa8000"
    label = "SA8000"
    aliases = ("sa 8000", "sa8000:2014", "sai sa8000", "social accountability 8000")
    _map = {"critical non conformity": "zero_tolerance", "critical nc": "zero_tolerance",
            "time bound": "zero_tolerance"}

    def map_severity(self, raw: str) -> str | None:
        return self._map.get(raw)

    def overall(self, score, score_max, grade, result):  # type: ignore[no-untyped-def]
        if grade and not result:
            result, grade = grade, None  # "certified" is often written in the grade column
        out = super().overall(score, score_max if score is None else (score_max or 100.0), grade, result)
        if out.result not in (None, "certified", "not_certified"):
            raise SchemeError(f"SA8000 result must be certified or not certified, got {result!r}")
        return out


@register
class Ipc1401(Scheme):
    """IPC-1401 CSR management-system conformity (self-assessment or third party), score in %."""

    code = "ipc1401"
    label = "IPC-1401"
    aliases = ("ipc 1401", "ipc1401", "ipc")
    score_max = 100.0

    def map_severity(self, raw: str) -> str | None:
        return {"nonconformity": "major", "non conformity": "major", "不符合": "major"}.get(raw)


class _FreeForm(Scheme):
    """Customer or internal audits: free-form findings, optional score (default out of 100)."""

    score_max = 100.0

    def map_severity(self, raw: str) -> str | None:
        return {"p0": "zero_tolerance", "p1": "major", "p2": "minor", "p3": "observation",
                "a": "major", "b": "minor", "c": "observation"}.get(raw)


@register
class CustomerAudit(_FreeForm):
    code = "customer"
    label = "Customer audit"
    aliases = ("customer", "客户审核", "客户验厂", "second party", "2nd party")


@register
class InternalAudit(_FreeForm):
    code = "internal"
    label = "Internal audit"
    aliases = ("internal", "内部审核", "内审", "自评", "self assessment")


@register
class SmeEvaluation(Scheme):
    """SME CSR evaluation standard: 1000 points, rated AAA..C (see :mod:`riskradar.sme`)."""

    code = "sme"
    label = "SME CSR evaluation"
    aliases = ("sme", "sme 1000", "sme csr", "中小企业社会责任评价", "中小企业社会责任评价标准", "sme evaluation")
    score_max = 1000.0

    def map_severity(self, raw: str) -> str | None:
        return None

    def overall(self, score, score_max, grade, result):  # type: ignore[no-untyped-def]
        out = super().overall(score, 1000.0, None, result)
        return Overall(out.score, 1000.0, grade, out.result)


# --- Finding categories -------------------------------------------------------------------

# Checked in this order: red lines first, so "H&S - fire exits locked" is fire, and
# "wages withheld as deposit" with 扣押 is forced labour.
_CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("child_labour", ("child labour", "child labor", "child worker", "child workers", "underage", "under age",
                      "juvenile", "young worker", "young workers", "student worker", "student intern",
                      "童工", "未成年工", "未成年", "学生工", "实习生")),
    ("forced_labour", ("forced labour", "forced labor", "bonded", "prison labour", "prison labor",
                       "trafficking", "involuntary", "freely chosen employment", "freely chosen", "forced overtime", "retention of identity", "withheld id",
                       "withholding of id", "passport", "identity document", "identity card", "freedom of movement",
                       "强迫劳动", "强制劳动", "扣押", "抵债", "人口贩卖", "限制人身自由", "押金")),
    ("bribery", ("bribery", "bribe", "bribes", "kickback", "kickbacks", "corruption", "anti corruption",
                 "anti-corruption", "facilitation payment", "business integrity", "ethical business behaviour",
                 "ethical business behavior", "行贿", "受贿", "贿赂", "回扣", "腐败", "反腐")),
    ("fire", ("fire", "fire safety", "explosion", "emergency preparedness", "emergency exit", "emergency exits", "evacuation",
              "extinguisher", "sprinkler", "消防", "火灾", "起火", "爆炸", "安全出口", "疏散", "灭火", "逃生")),
    ("discrimination", ("discrimination", "harassment", "humane treatment", "abuse", "disciplinary",
                        "歧视", "骚扰", "虐待", "体罚")),
    ("wages_hours", ("wage", "wages", "working hours", "working time", "hours", "remuneration", "overtime", "salary",
                     "remuneration", "compensation", "benefits", "social insurance", "rest day", "minimum wage",
                     "工资", "工时", "加班", "超时", "拖欠", "薪酬", "社保", "社会保险", "休息日", "最低工资")),
    ("health_safety", ("health and safety", "health & safety", "h&s", "h s", "occupational", "safety", "ppe",
                       "chemical", "machine guarding", "dormitory", "canteen", "injury",
                       "职业健康", "安全", "工伤", "劳动保护", "防护", "化学品", "宿舍", "食堂")),
    ("environment", ("environment", "environmental", "pollution", "emission", "emissions", "wastewater",
                     "waste", "hazardous waste", "环境", "环保", "污染", "排放", "废水", "废气", "固废")),
    ("management_system", ("management system", "management systems", "documentation", "policy", "procedure",
                           "records", "grievance", "worker involvement", "supplier management", "due diligence",
                           "business ethics", "ethics", "transparency",
                           "管理体系", "管理制度", "制度", "记录", "申诉", "文件", "供应商管理", "商业道德")),
)

# Broad pillar names: the description decides the category when it names something specific.
_BROAD = {"labour", "labor", "labour standards", "labor standards", "labour rights", "health & safety",
          "health and safety", "h&s", "business ethics", "ethics", "general", "other", "劳工", "劳工标准",
          "健康安全", "健康与安全", "商业道德", "其他", "综合", "environment", "环境"}


def _compile(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for w in sorted(words, key=len, reverse=True):
        if re.search(r"[\u3400-\u9fff]", w):
            parts.append(re.escape(w))
        else:
            parts.append(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])")
    return re.compile("|".join(parts))


_CATEGORY_RES = tuple((code, _compile(words)) for code, words in _CATEGORY_WORDS)
_CATEGORY_CODES = {c: c for c in FINDING_CATEGORIES} | {
    "child labour": "child_labour", "child labor": "child_labour", "forced labour": "forced_labour",
    "forced labor": "forced_labour", "wages hours": "wages_hours", "health safety": "health_safety",
    "management system": "management_system",
}


@lru_cache(maxsize=65536)
def _match(text: str) -> str | None:
    key = _key(text).replace(" ", " ")
    for code, pattern in _CATEGORY_RES:
        if pattern.search(key):
            return code
    return None


@lru_cache(maxsize=65536)
def map_category(raw: str | None, description: str | None = None) -> str:
    """Normalised finding category (one of FINDING_CATEGORIES) for a raw category wording.

    An exact code ("child_labour") is taken as is. A broad pillar name (SMETA "Labour",
    "Health & Safety", "Business ethics") is refined by keywords in the description when it
    has any; otherwise the keywords of the raw category decide, and "other" is the fallback.
    """
    key = _key(raw) if raw else ""
    if key.replace(" ", "_") in FINDING_CATEGORIES:
        return key.replace(" ", "_")
    if key in _CATEGORY_CODES:
        return _CATEGORY_CODES[key]
    if (not key or key in _BROAD) and description:
        found = _match(description)
        if found:
            return found
    if key:
        found = _match(key)
        if found:
            return found
    return "other"


def is_red_line_event(category: str, severity: str, status: str) -> bool:
    """An open zero-tolerance finding in a red-line category."""
    return status == "open" and severity == "zero_tolerance" and category in RED_LINES
