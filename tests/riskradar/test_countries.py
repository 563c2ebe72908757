"""riskradar.countries: ISO codes from codes, English names, Chinese names and everyday aliases."""

from __future__ import annotations

import pytest

from riskradar.countries import all_countries, country_name, to_alpha2


@pytest.mark.parametrize("value, code", [
    ("CN", "CN"), ("cn", "CN"), (" CN ", "CN"), ("CHN", "CN"), ("China", "CN"), ("People's Republic of China", "CN"),
    ("中国", "CN"), ("中国大陆", "CN"), ("大陆", "CN"), ("中华人民共和国", "CN"), ("Mainland China", "CN"),
    ("China (Mainland)", "CN"), ("PRC", "CN"),
    ("越南", "VN"), ("Viet Nam", "VN"), ("Vietnam", "VN"), ("VNM", "VN"),
    ("USA", "US"), ("U.S.A.", "US"), ("United States", "US"), ("美国", "US"),
    ("UK", "GB"), ("United Kingdom", "GB"), ("Great Britain", "GB"), ("英国", "GB"),
    ("Türkiye", "TR"), ("Turkey", "TR"), ("土耳其", "TR"),
    ("South Korea", "KR"), ("韩国", "KR"), ("大韩民国", "KR"), ("Korea, Republic of", "KR"),
    ("台湾", "TW"), ("臺灣", "TW"), ("中国台湾", "TW"), ("Taiwan", "TW"),
    ("香港", "HK"), ("Hong Kong", "HK"), ("澳门", "MO"),
    ("墨西哥", "MX"), ("孟加拉国", "BD"), ("孟加拉", "BD"), ("柬埔寨", "KH"), ("老挝", "LA"), ("Laos", "LA"),
    ("印度尼西亚", "ID"), ("Indonesia", "ID"), ("德国", "DE"), ("Deutschland", None),
    ("ＣＮ", "CN"),  # full-width letters from a Chinese input method
])
def test_to_alpha2_accepts_codes_and_names(value: str, code: str | None) -> None:
    if code is None:
        with pytest.raises(ValueError):
            to_alpha2(value)
    else:
        assert to_alpha2(value) == code


@pytest.mark.parametrize("value", ["Atlantis", "火星", "ZZ", "XXX"])
def test_unknown_country_raises_a_clear_message(value: str) -> None:
    with pytest.raises(ValueError, match=r"unknown country .*ISO code.*Chinese name"):
        to_alpha2(value)


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_country_is_an_error(value: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        to_alpha2(value)


def test_country_name_in_both_languages() -> None:
    assert country_name("VN", "zh") == "越南"
    assert country_name("VN", "en") == "Vietnam"
    assert country_name("cn", "zh") == "中国"
    assert country_name("KR", "en") == "South Korea"
    assert country_name("QQ", "en") == "QQ"  # unknown codes are shown as they are


def test_every_iso_country_has_a_chinese_name() -> None:
    names = dict(all_countries("zh"))
    assert len(names) >= 249
    assert all(name and name != code for code, name in names.items())
