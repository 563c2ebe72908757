"""Snapshots of an alert (or a digest) stored in the outbox, and their rendering for people.

The outbox stores the plain-data snapshot taken when the message was enqueued, so a retry
days later sends what the alert looked like then; channels render it into their own format
in the recipient's language with :func:`render`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from riskradar.alerts.labels import category_name, rule_name, severity_name, tier_name
from riskradar.domain import Alert, Supplier
from riskradar.settings import Settings

MAX_SOURCES = 10
MAX_EVIDENCE = 5


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def supplier_snapshot(supplier: Supplier | None) -> dict[str, Any]:
    """The supplier fields a message shows."""
    if supplier is None:
        return {}
    return {
        "id": supplier.id,
        "ref": supplier.external_ref,
        "name_zh": supplier.name_zh,
        "name_en": supplier.name_en,
        "country": supplier.country,
        "region": supplier.region,
        "risk_tier": supplier.risk_tier,
    }


def alert_snapshot(alert: Alert, supplier: Supplier | None) -> dict[str, Any]:
    """Plain data describing ``alert`` now (latest sources first, capped)."""
    sources = sorted(alert.sources, key=lambda s: (s.added_at, s.id or 0), reverse=True)
    return {
        "id": alert.id,
        "category": alert.category,
        "rule": alert.rule,
        "severity": alert.severity,
        "status": alert.status,
        "title": alert.title,
        "title_zh": alert.title_zh,
        "supplier": supplier_snapshot(supplier),
        "source_count": alert.source_count,
        "first_seen_at": _iso(alert.first_seen_at),
        "last_seen_at": _iso(alert.last_seen_at),
        "evidence": list(alert.evidence or [])[:MAX_EVIDENCE],
        "sources": [
            {"kind": s.kind, "ref_id": s.ref_id, "url": s.url, "title": s.title} for s in sources[:MAX_SOURCES]
        ],
    }


def alert_url(settings: Settings, alert_id: int) -> str:
    """Link to the alert in the web app."""
    return f"{settings.base_url.rstrip('/')}/alerts/{alert_id}"


@dataclass
class Rendered:
    """A message ready for any channel: title, plain text, Markdown, HTML and the app link."""

    title: str
    text: str
    markdown: str
    html: str
    url: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value) pairs
    links: list[tuple[str, str]] = field(default_factory=list)  # (title, url) of sources


_LABELS = {
    "en": {
        "alert": "Red-line alert", "update": "Update", "supplier": "Supplier", "category": "Category",
        "rule": "Detected by", "severity": "Severity", "sources": "Sources", "evidence": "Evidence",
        "first_seen": "First seen", "last_seen": "Last seen", "open": "Open in RiskRadar",
        "digest": "RiskRadar daily digest", "tier": "Risk tier", "none": "No new alerts.",
    },
    "zh": {
        "alert": "红线预警", "update": "更新", "supplier": "供应商", "category": "类别",
        "rule": "来源规则", "severity": "严重程度", "sources": "来源数", "evidence": "证据",
        "first_seen": "首次发现", "last_seen": "最近发现", "open": "在 RiskRadar 中查看",
        "digest": "RiskRadar 每日预警摘要", "tier": "风险等级", "none": "今日无新预警。",
    },
}


def _supplier_name(supplier: dict[str, Any], lang: str) -> str:
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    return supplier.get(first) or supplier.get(second) or supplier.get("ref") or "?"


def _md_escape(text: str) -> str:
    # Keep Markdown link syntax of our own intact: only neutralise brackets in titles.
    return text.replace("[", "(").replace("]", ")").replace("\n", " ")


def render(payload: dict[str, Any], lang: str, settings: Settings) -> Rendered:
    """Render an outbox payload (``alert.created``, ``alert.updated`` or ``digest``) in ``lang``."""
    lang = "zh" if lang == "zh" else "en"
    if payload.get("event") == "digest":
        return _render_digest(payload, lang, settings)
    L = _LABELS[lang]
    alert = payload["alert"]
    supplier = alert.get("supplier") or {}
    sname = _supplier_name(supplier, lang)
    cat = category_name(alert["category"], lang)
    prefix = L["alert"] if payload.get("event") != "alert.updated" else f"{L['alert']} · {L['update']}"
    sep = "：" if lang == "zh" else ": "
    title = f"[{prefix}] {cat} · {sname}"
    url = alert_url(settings, alert["id"])
    headline = alert.get("title_zh") if lang == "zh" and alert.get("title_zh") else alert.get("title")
    lines: list[tuple[str, str]] = [
        (L["supplier"], f"{sname} ({supplier.get('ref', '')}, {supplier.get('country') or ''})"),
        (L["category"], cat),
        (L["rule"], rule_name(alert.get("rule"), lang)),
        (L["severity"], severity_name(alert.get("severity"), lang)),
        (L["tier"], tier_name(supplier.get("risk_tier"), lang) or "-"),
        (L["sources"], str(alert.get("source_count", 0))),
        (L["first_seen"], (alert.get("first_seen_at") or "")[:16].replace("T", " ") + " UTC"),
        (L["last_seen"], (alert.get("last_seen_at") or "")[:16].replace("T", " ") + " UTC"),
    ]
    # A snippet may carry its Chinese wording under "zh" (tier reasons, agreement gaps).
    evidence = [str((lang == "zh" and e.get("zh")) or e.get("text", e)) if isinstance(e, dict) else str(e)
                for e in alert.get("evidence") or []]
    links = [(s.get("title") or s.get("url") or "", s["url"]) for s in alert.get("sources") or [] if s.get("url")]

    text_parts = [title, headline or "", ""]
    text_parts += [f"{k}{sep}{v}" for k, v in lines]
    if evidence:
        text_parts += ["", L["evidence"] + sep] + [f"- {e}" for e in evidence]
    if links:
        text_parts += [""] + [f"- {t} {u}" for t, u in links]
    text_parts += ["", f"{L['open']}{sep}{url}"]
    text = "\n".join(text_parts)

    md = [f"### {_md_escape(title)}", f"**{_md_escape(headline or '')}**", ""]
    md += [f"> **{k}**{sep}{_md_escape(v)}" for k, v in lines]
    if evidence:
        md += ["", f"**{L['evidence']}**"] + [f"- {_md_escape(e)}" for e in evidence]
    if links:
        md += [""] + [f"- [{_md_escape(t)}]({u})" for t, u in links]
    md += ["", f"[{L['open']}]({url})"]
    markdown = "\n".join(md)

    esc = html.escape
    rows = "".join(f"<tr><th align='left'>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in lines)
    ev_html = "".join(f"<li>{esc(e)}</li>" for e in evidence)
    link_html = "".join(f"<li><a href='{esc(u)}'>{esc(t)}</a></li>" for t, u in links)
    body_html = (
        f"<h2>{esc(title)}</h2><p><strong>{esc(headline or '')}</strong></p><table>{rows}</table>"
        + (f"<h3>{esc(L['evidence'])}</h3><ul>{ev_html}</ul>" if evidence else "")
        + (f"<ul>{link_html}</ul>" if links else "")
        + f"<p><a href='{esc(url)}'>{esc(L['open'])}</a></p>"
    )
    return Rendered(title=title, text=text, markdown=markdown, html=body_html, url=url, lines=lines, links=links)


def _render_digest(payload: dict[str, Any], lang: str, settings: Settings) -> Rendered:
    L = _LABELS[lang]
    title = f"{L['digest']} {payload.get('day', '')}"
    url = f"{settings.base_url.rstrip('/')}/alerts"
    items = []
    for a in payload.get("alerts", []):
        sname = _supplier_name(a.get("supplier") or {}, lang)
        items.append((f"{category_name(a['category'], lang)} · {sname} ({a.get('source_count', 0)})", alert_url(settings, a["id"])))
    if items:
        text = "\n".join([title, ""] + [f"- {t} {u}" for t, u in items])
        markdown = "\n".join([f"### {title}", ""] + [f"- [{_md_escape(t)}]({u})" for t, u in items])
        body_html = f"<h2>{html.escape(title)}</h2><ul>" + "".join(
            f"<li><a href='{html.escape(u)}'>{html.escape(t)}</a></li>" for t, u in items) + "</ul>"
    else:
        text = f"{title}\n\n{L['none']}"
        markdown = f"### {title}\n\n{L['none']}"
        body_html = f"<h2>{html.escape(title)}</h2><p>{html.escape(L['none'])}</p>"
    return Rendered(title=title, text=text, markdown=markdown, html=body_html, url=url, links=items)
