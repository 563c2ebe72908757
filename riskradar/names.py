"""Company-name normalisation shared by import, entity linking and the onboarding check.

Legal-form suffixes (有限公司, Co., Ltd., GmbH ...) and punctuation are removed, Traditional
Chinese is folded to Simplified, full-width characters to half-width, case to lower.
"""

from __future__ import annotations

import re
import unicodedata

import zhconv

# Longest first, so "股份有限公司" is removed before "有限公司".
_ZH_SUFFIXES = sorted(
    [
        "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "总公司", "分公司", "公司",
        "工厂", "厂", "株式会社", "控股", "实业", "科技", "工业",
    ],
    key=len,
    reverse=True,
)
# Only the legal-form part is stripped; "科技/实业/工业" are kept when they would leave too little.
_ZH_STRONG = {"股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "总公司", "分公司", "公司", "株式会社"}

_EN_SUFFIXES = [
    "co ltd", "company limited", "co limited", "corporation", "incorporated", "limited", "ltd", "inc",
    "corp", "co", "company", "gmbh", "ag", "sa", "s a", "spa", "s p a", "srl", "bv", "b v", "nv",
    "plc", "llc", "llp", "lp", "pte", "pvt", "private", "sdn bhd", "sdn", "bhd", "tbk", "pt", "jsc",
    "kk", "k k", "oy", "ab", "as", "sas", "sarl", "kg", "group", "holdings", "holding",
]
_EN_SUFFIX_RE = re.compile(r"(?:\b(?:" + "|".join(re.escape(s) for s in sorted(_EN_SUFFIXES, key=len, reverse=True)) + r")\b\s*)+$")
_PUNCT_RE = re.compile(r"[\s\.,;:!?'\"()\[\]{}<>/\\|@#$%^&*_+=~`\-–—·•、，。；：！？（）【】《》“”‘’]+")


def fold(text: str) -> str:
    """NFKC (full-width to half-width), Traditional to Simplified Chinese, lower case."""
    text = unicodedata.normalize("NFKC", text)
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = zhconv.convert(text, "zh-hans")
    return text.lower()


def has_cjk(text: str) -> bool:
    """True when ``text`` contains CJK ideographs."""
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def strip_legal_suffix(name: str) -> str:
    """Remove legal-form words from the end of a (folded) company name."""
    name = name.strip()
    if has_cjk(name):
        # Strip repeatedly: "深圳某某电子科技有限公司" -> "深圳某某电子科技" (科技 kept unless a
        # strong suffix preceded it).
        changed = True
        while changed:
            changed = False
            for suffix in _ZH_SUFFIXES:
                if name.endswith(suffix) and len(name) - len(suffix) >= 2 and suffix in _ZH_STRONG:
                    name = name[: -len(suffix)]
                    changed = True
                    break
        return name
    cleaned = _PUNCT_RE.sub(" ", name).strip()
    stripped = _EN_SUFFIX_RE.sub("", cleaned).strip()
    return stripped or cleaned


def normalize_name(name: str) -> str:
    """The comparison key of a company name: folded, legal suffix removed, punctuation removed.

    >>> normalize_name("Foxconn Technology Co., Ltd.")
    'foxconn technology'
    >>> normalize_name("富士康科技集團有限公司")
    '富士康科技'
    """
    folded = fold(name)
    core = strip_legal_suffix(folded)
    if has_cjk(core):
        return _PUNCT_RE.sub("", core)
    return " ".join(_PUNCT_RE.sub(" ", core).split())
