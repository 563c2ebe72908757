"""Region names in the UI language: an imported "广东省" reads "Guangdong" in the English UI and
"Guangdong" reads "广东" in the Chinese one. Display only; the stored value never changes.

Covers China's provincial-level divisions (``config/regions_cn.csv``); any other region is shown
as imported.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

import config as config_pkg

# Longest first, so "广西壮族自治区" loses the whole suffix, not just "区".
_ZH_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|省|市)$")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """({Chinese short name: English}, {lower-case English: Chinese short name})."""
    zh_en: dict[str, str] = {}
    with open(config_pkg.path("regions_cn.csv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            zh_en[row["zh"].strip()] = row["en"].strip()
    return zh_en, {en.lower(): zh for zh, en in zh_en.items()}


def region_label(value: str | None, lang: str) -> str:
    """``value`` in ``lang`` ("en" or "zh") when it is a known Chinese province; else as given."""
    if not value:
        return ""
    text = value.strip()
    zh_en, en_zh = _tables()
    if lang == "en":
        return zh_en.get(_ZH_SUFFIX.sub("", text), text)
    return en_zh.get(text.lower().removesuffix(" province"), text)
