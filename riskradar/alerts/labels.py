"""Display names (zh/en) of alert categories, rules, tiers and statuses, from :mod:`riskradar.vocabulary`."""

from __future__ import annotations

from riskradar.vocabulary import VOCABULARY, display_name

# Alert categories: the red lines and secondary categories, plus agreement and tier-change alerts.
ALERT_CATEGORIES: tuple[str, ...] = tuple(
    c for c in VOCABULARY["category"] if c not in ("management_system", "other"))


def _name(kind: str, code: str | None, lang: str, *, in_sentence: bool = False) -> str:
    name = display_name(kind, code, lang)
    # English names of tiers, statuses and severities read in lower case inside a sentence
    # ("Risk tier low → red line"); Chinese has no case.
    return name.lower() if in_sentence and lang != "zh" else name


def category_name(code: str | None, lang: str = "en") -> str:
    """Human name of an alert category in ``lang`` (zh/en); unknown codes come back as-is."""
    return _name("category", code, lang)


def rule_name(code: str | None, lang: str = "en") -> str:
    """Human name of a detection rule."""
    return _name("rule", code, lang)


def tier_name(code: str | None, lang: str = "en") -> str:
    """Human name of a risk tier."""
    return _name("tier", code, lang, in_sentence=True)


def status_name(code: str | None, lang: str = "en") -> str:
    """Human name of an alert status."""
    return _name("alert_status", code, lang, in_sentence=True)


def severity_name(code: str | None, lang: str = "en") -> str:
    """Human name of an alert severity."""
    return _name("severity", code, lang, in_sentence=True)


def agreement_status_name(code: str | None, lang: str = "en") -> str:
    """Human name of a CSR agreement status."""
    return _name("agreement", code, lang, in_sentence=True)


def scheme_name(code: str | None, lang: str = "en") -> str:
    """Human name of an audit scheme (unknown schemes are upper-cased)."""
    if code and code not in VOCABULARY["scheme"]:
        return code.upper()
    return _name("scheme", code, lang)
