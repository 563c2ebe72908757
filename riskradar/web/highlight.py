"""Evidence highlighting: escape the text first, then wrap the evidence spans in <mark>."""

from __future__ import annotations

from typing import Any, Iterable

from markupsafe import Markup, escape


def evidence_spans(text: str, evidence: Iterable[Any]) -> list[tuple[int, int]]:
    """Character spans of ``text`` covered by the evidence phrases (case-insensitive), merged."""
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    for item in evidence or []:
        phrase = item.get("text") if isinstance(item, dict) else str(item)
        if not phrase or not phrase.strip():
            continue
        needle = phrase.lower()
        start = lowered.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str | None, evidence: Iterable[Any]) -> Markup:
    """HTML of ``text`` with evidence wrapped in ``<mark>``; every piece of text is escaped."""
    if not text:
        return Markup("")
    out: list[str] = []
    pos = 0
    for s, e in evidence_spans(text, evidence):
        out.append(str(escape(text[pos:s])))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))
