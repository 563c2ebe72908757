"""Display names of the domain vocabulary in English and Chinese — one table for the whole product.

The web UI, alert titles and channel messages all name categories, tiers, statuses, severities,
schemes and rules from here, so a CSR lead sees the same word in the inbox and in a WeCom message.
Names are display forms (capitalised); code that puts a name inside an English sentence lowers it.
"""

from __future__ import annotations

# kind -> code -> (English, 简体中文)
VOCABULARY: dict[str, dict[str, tuple[str, str]]] = {
    "category": {
        "child_labour": ("Child labour", "童工"),
        "forced_labour": ("Forced labour", "强迫劳动"),
        "bribery": ("Bribery and corruption", "商业贿赂"),
        "fire": ("Fire or explosion", "火灾/爆炸"),
        "wages_hours": ("Wages and working hours", "工资工时"),
        "health_safety": ("Occupational health and safety", "职业健康安全"),
        "environment": ("Environment and pollution", "环境污染"),
        "discrimination": ("Discrimination and harassment", "歧视与骚扰"),
        "management_system": ("Management system", "管理体系"),
        "other": ("Other", "其他"),
        # Alert-only categories (not audit or classifier labels).
        "agreement": ("CSR agreement", "CSR 协议"),
        "tier_change": ("Risk tier raised", "风险等级上升"),
    },
    "tier": {
        "low": ("Low", "低风险"),
        "medium": ("Medium", "中风险"),
        "high": ("High", "高风险"),
        "red_line": ("Red line", "红线"),
        "unscored": ("Unscored", "未评分"),
    },
    "alert_status": {
        "new": ("New", "新预警"),
        "acknowledged": ("Acknowledged", "已确认收到"),
        "confirmed": ("Confirmed", "已确认事件"),
        "dismissed": ("Dismissed (false positive)", "已驳回（误报）"),
        "resolved": ("Resolved", "已解决"),
    },
    "severity": {
        # Audit finding severities
        "zero_tolerance": ("Zero tolerance", "零容忍"),
        "major": ("Major", "严重"),
        "minor": ("Minor", "轻微"),
        "observation": ("Observation", "观察项"),
        # Alert severities
        "critical": ("Critical", "危急"),
        "high": ("High", "高"),
        "medium": ("Medium", "中"),
        "low": ("Low", "低"),
    },
    "agreement": {
        "signed": ("Signed", "已签署"),
        "pending": ("Pending", "待签署"),
        "refused": ("Refused", "拒签"),
        "expired": ("Expired", "已过期"),
    },
    "scheme": {
        "rba": ("RBA VAP", "RBA VAP"),
        "smeta": ("SMETA", "SMETA"),
        "bsci": ("amfori BSCI", "amfori BSCI"),
        "sa8000": ("SA8000", "SA8000"),
        "ipc1401": ("IPC-1401", "IPC-1401"),
        "customer": ("Customer audit", "客户审核"),
        "internal": ("Internal audit", "内部审核"),
        "sme": ("SME CSR evaluation", "中小企业社会责任评价"),
    },
    "rule": {
        "news": ("News report", "新闻舆情"),
        "audit_finding": ("Audit finding", "审核发现"),
        "agreement": ("CSR agreement", "CSR 协议"),
        "tier_change": ("Risk tier change", "风险等级变化"),
    },
}


def display_name(kind: str, code: str | None, lang: str = "en") -> str:
    """The display name of ``code`` of ``kind`` in ``lang`` (zh/en); unknown codes come back as-is."""
    if not code:
        return ""
    names = VOCABULARY.get(kind, {}).get(code)
    if names is None:
        return code
    return names[1] if lang == "zh" else names[0]


def catalogue_entries() -> dict[str, tuple[str, str]]:
    """``"kind.code" -> (en, zh)`` for the UI message catalogue."""
    return {f"{kind}.{code}": names for kind, table in VOCABULARY.items() for code, names in table.items()}
