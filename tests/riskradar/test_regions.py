"""Region names shown in the UI language (Chinese provinces); everything else as imported."""

from __future__ import annotations

import pytest

from riskradar.regions import region_label


@pytest.mark.parametrize("stored,lang,shown", [
    ("广东", "en", "Guangdong"),
    ("广东省", "en", "Guangdong"),
    ("广西壮族自治区", "en", "Guangxi"),
    ("上海市", "en", "Shanghai"),
    ("香港特别行政区", "en", "Hong Kong"),
    ("Guangdong", "zh", "广东"),
    ("guangdong province", "zh", "广东"),
    ("广东", "zh", "广东"),
    ("Guangdong", "en", "Guangdong"),
])
def test_a_chinese_province_reads_in_the_ui_language(stored: str, lang: str, shown: str) -> None:
    assert region_label(stored, lang) == shown


@pytest.mark.parametrize("stored", ["Bình Dương", "Tamil Nadu", "İstanbul", "某某开发区"])
def test_other_regions_are_shown_as_imported(stored: str) -> None:
    assert region_label(stored, "en") == stored and region_label(stored, "zh") == stored


def test_an_empty_region_is_empty() -> None:
    assert region_label(None, "en") == "" and region_label("", "zh") == ""
