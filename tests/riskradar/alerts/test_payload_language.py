"""Channel messages are written wholly in the channel's language (labels, severity, evidence)."""

from __future__ import annotations

import re

from riskradar.alerts.payloads import render

PAYLOAD = {
    "event": "alert.created", "sequence": 1,
    "alert": {
        "id": 7, "category": "tier_change", "rule": "tier_change", "severity": "critical", "status": "new",
        "title": "Risk tier raised: Blue Nile Garment PLC — Risk tier low → red line (score 88)",
        "title_zh": "风险等级上升：蓝尼罗河服装 — 风险等级 低风险 → 红线（风险分 88）",
        "source_count": 1, "first_seen_at": "2026-11-25T10:00:00", "last_seen_at": "2026-11-25T10:00:00",
        "evidence": [{"text": "Child-labour finding open", "zh": "童工问题未关闭", "kind": "snapshot", "ref_id": 1}],
        "sources": [], "supplier": {"ref": "S1", "name_zh": "蓝尼罗河服装", "name_en": "Blue Nile Garment PLC",
                                    "country": "ET", "risk_tier": "red_line"},
    },
}


def test_chinese_message_has_no_english_vocabulary(settings):
    text = render(PAYLOAD, "zh", settings).text
    assert "危急" in text and "童工问题未关闭" in text and "红线" in text
    words = set(re.findall(r"[A-Za-z]+", text.split("http")[0]))
    assert not words & {"critical", "Risk", "tier", "low", "red", "line", "score", "Child", "finding"}


def test_english_message_uses_the_english_title_and_evidence(settings):
    text = render(PAYLOAD, "en", settings).text
    assert "Risk tier low → red line" in text and "critical" in text and "Child-labour finding open" in text
    assert not re.search(r"[\u4e00-\u9fff]", text.split("http")[0])
