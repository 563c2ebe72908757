"""Display names (zh/en) of alert categories, rules, tiers and statuses."""

from __future__ import annotations

CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "child_labour": {"en": "Child labour", "zh": "童工"},
    "forced_labour": {"en": "Forced labour", "zh": "强迫劳动"},
    "bribery": {"en": "Bribery and corruption", "zh": "商业贿赂"},
    "fire": {"en": "Fire or explosion", "zh": "火灾/爆炸"},
    "wages_hours": {"en": "Wages and working hours", "zh": "工资工时"},
    "health_safety": {"en": "Occupational health and safety", "zh": "职业健康安全"},
    "environment": {"en": "Environment and pollution", "zh": "环境污染"},
    "discrimination": {"en": "Discrimination and harassment", "zh": "歧视与骚扰"},
    "agreement": {"en": "CSR agreement", "zh": "CSR 协议"},
    "tier_change": {"en": "Risk tier raised", "zh": "风险等级上升"},
}

RULE_NAMES: dict[str, dict[str, str]] = {
    "news": {"en": "News report", "zh": "新闻舆情"},
    "audit_finding": {"en": "Audit finding", "zh": "审核发现"},
    "agreement": {"en": "CSR agreement", "zh": "CSR 协议"},
    "tier_change": {"en": "Risk tier change", "zh": "风险等级变化"},
}

TIER_NAMES: dict[str, dict[str, str]] = {
    "low": {"en": "low", "zh": "低风险"},
    "medium": {"en": "medium", "zh": "中风险"},
    "high": {"en": "high", "zh": "高风险"},
    "red_line": {"en": "red line", "zh": "红线"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "new": {"en": "new", "zh": "新"},
    "acknowledged": {"en": "acknowledged", "zh": "已确认收到"},
    "confirmed": {"en": "confirmed", "zh": "已证实"},
    "dismissed": {"en": "dismissed (false positive)", "zh": "已驳回（误报）"},
    "resolved": {"en": "resolved", "zh": "已解决"},
}

SEVERITY_NAMES: dict[str, dict[str, str]] = {
    "critical": {"en": "critical", "zh": "危急"},
    "high": {"en": "high", "zh": "高"},
    "medium": {"en": "medium", "zh": "中"},
    "low": {"en": "low", "zh": "低"},
}

AGREEMENT_STATUS_NAMES: dict[str, dict[str, str]] = {
    "signed": {"en": "signed", "zh": "已签署"},
    "pending": {"en": "pending", "zh": "待签署"},
    "refused": {"en": "refused", "zh": "被拒签"},
    "expired": {"en": "expired", "zh": "已过期"},
}

SCHEME_NAMES: dict[str, dict[str, str]] = {
    "rba": {"en": "RBA", "zh": "RBA"},
    "smeta": {"en": "SMETA", "zh": "SMETA"},
    "bsci": {"en": "BSCI", "zh": "BSCI"},
    "sa8000": {"en": "SA8000", "zh": "SA8000"},
    "ipc1401": {"en": "IPC-1401", "zh": "IPC-1401"},
    "customer": {"en": "Customer audit", "zh": "客户审核"},
    "internal": {"en": "Internal audit", "zh": "内部审核"},
    "sme": {"en": "SME CSR evaluation", "zh": "中小企业社会责任评价"},
}

ALERT_CATEGORIES: tuple[str, ...] = tuple(CATEGORY_NAMES)


def _name(table: dict[str, dict[str, str]], code: str | None, lang: str) -> str:
    if not code:
        return ""
    names = table.get(code)
    if not names:
        return code
    return names.get("zh" if lang == "zh" else "en", code)


def category_name(code: str | None, lang: str = "en") -> str:
    """Human name of an alert category in ``lang`` (zh/en); unknown codes come back as-is."""
    return _name(CATEGORY_NAMES, code, lang)


def rule_name(code: str | None, lang: str = "en") -> str:
    """Human name of a detection rule."""
    return _name(RULE_NAMES, code, lang)


def tier_name(code: str | None, lang: str = "en") -> str:
    """Human name of a risk tier."""
    return _name(TIER_NAMES, code, lang)


def status_name(code: str | None, lang: str = "en") -> str:
    """Human name of an alert status."""
    return _name(STATUS_NAMES, code, lang)


def severity_name(code: str | None, lang: str = "en") -> str:
    """Human name of an alert severity."""
    return _name(SEVERITY_NAMES, code, lang)


def agreement_status_name(code: str | None, lang: str = "en") -> str:
    """Human name of a CSR agreement status."""
    return _name(AGREEMENT_STATUS_NAMES, code, lang)


def scheme_name(code: str | None, lang: str = "en") -> str:
    """Human name of an audit scheme (unknown schemes are upper-cased)."""
    if code and code not in SCHEME_NAMES:
        return code.upper()
    return _name(SCHEME_NAMES, code, lang)
