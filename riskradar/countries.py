"""Country names and codes: ISO 3166-1 alpha-2 from codes, English or Chinese names.

English names come from pycountry (names, official names, common names, alpha-3 codes) plus a
short list of everyday forms ERP exports use (USA, UK, Türkiye, Viet Nam, Mainland China ...).
Chinese names come from ``config/countries_zh.csv`` (the iso-codes zh_CN translations shipped in
pycountry, with mainland-usage names and aliases such as 中国大陆, 台湾, 韩国 added).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache

import pycountry
import zhconv

import config as config_pkg

# Everyday English forms not (or not reliably) in pycountry; keys are folded (see _fold).
_EN_ALIASES: dict[str, str] = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "america": "US", "united states of america": "US",
    "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "vietnam": "VN", "viet nam": "VN",
    "turkey": "TR", "turkiye": "TR", "türkiye": "TR",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "korea south": "KR", "korea republic of": "KR",
    "north korea": "KP",
    "russia": "RU", "taiwan": "TW", "taiwan roc": "TW", "chinese taipei": "TW",
    "hong kong": "HK", "hongkong": "HK", "hong kong sar": "HK", "macau": "MO", "macao": "MO",
    "mainland china": "CN", "china mainland": "CN", "prc": "CN", "p r china": "CN", "pr china": "CN",
    "china prc": "CN",
    "czech republic": "CZ", "holland": "NL", "the netherlands": "NL", "ivory coast": "CI", "burma": "MM",
    "laos": "LA", "iran": "IR", "syria": "SY", "uae": "AE", "u a e": "AE", "swaziland": "SZ",
    "macedonia": "MK", "cape verde": "CV", "vatican": "VA", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "moldova": "MD", "palestine": "PS", "brunei": "BN", "east timor": "TL",
    "dr congo": "CD", "drc": "CD", "congo kinshasa": "CD", "congo brazzaville": "CG",
}
_SPACES = re.compile(r"[\s.,()\-_/]+")


def _fold(value: str) -> str:
    """Comparison form: NFKC, Simplified Chinese, case-folded, punctuation to single spaces."""
    text = unicodedata.normalize("NFKC", value).strip()
    if any("\u3400" <= ch <= "\u9fff" for ch in text):
        text = zhconv.convert(text, "zh-hans")
        return re.sub(r"\s+", "", text)
    return _SPACES.sub(" ", text.casefold()).strip()


@lru_cache(maxsize=1)
def _zh_table() -> tuple[dict[str, str], dict[str, str]]:
    """({alpha2: Chinese name}, {folded Chinese name or alias: alpha2}) from the shipped CSV."""
    names: dict[str, str] = {}
    lookup: dict[str, str] = {}
    with open(config_pkg.path("countries_zh.csv"), encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in rows:
            code = row["alpha2"].strip().upper()
            names[code] = row["name_zh"].strip()
            for name in [row["name_zh"], *(row.get("aliases") or "").split("|")]:
                if name.strip():
                    lookup.setdefault(_fold(name), code)
    return names, lookup


@lru_cache(maxsize=4096)
def _resolve(folded: str) -> str | None:
    if not folded:
        return None
    upper = folded.upper()
    if len(folded) == 2 and folded.isascii() and pycountry.countries.get(alpha_2=upper):
        return upper
    if folded in _EN_ALIASES:
        return _EN_ALIASES[folded]
    zh = _zh_table()[1].get(folded)
    if zh:
        return zh
    if len(folded) == 3 and folded.isascii() and folded.isalpha():
        country = pycountry.countries.get(alpha_3=upper)
        if country:
            return country.alpha_2
    try:
        return pycountry.countries.lookup(folded).alpha_2
    except LookupError:
        return None


def to_alpha2(value: str) -> str:
    """The ISO 3166-1 alpha-2 code for a country given as a code or an English or Chinese name.

    Accepts ``CN``, ``chn``, ``China``, ``People's Republic of China``, ``中国``, ``中国大陆``,
    ``Viet Nam``, ``USA``, ``UK``, ``Türkiye`` ... Raises ``ValueError`` with a clear message when
    the value is empty or not recognised.
    """
    if value is None or not str(value).strip():
        raise ValueError("country is empty")
    code = _resolve(_fold(str(value)))
    if code is None:
        raise ValueError(f"unknown country {str(value).strip()!r}: use an ISO code (CN), an English name "
                         f"(China) or a Chinese name (中国)")
    return code


def is_country_code(code: str) -> bool:
    """True when ``code`` is an assigned ISO 3166-1 alpha-2 code."""
    return bool(code) and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def country_name(code: str, lang: str = "zh") -> str:
    """The display name of ``code`` in ``lang`` (``zh`` or ``en``); the code itself when unknown."""
    if not code:
        return ""
    code = code.upper()
    if lang.lower().startswith("zh"):
        name = _zh_table()[0].get(code)
        if name:
            return name
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def all_countries(lang: str = "zh") -> list[tuple[str, str]]:
    """Every (alpha-2, display name) pair, sorted by code (for drop-downs)."""
    return sorted((c.alpha_2, country_name(c.alpha_2, lang)) for c in pycountry.countries)
