"""Company-name normalisation used for import, linking and onboarding checks."""

import pytest

from riskradar.names import normalize_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Foxconn Technology Co., Ltd.", "foxconn technology"),
        ("富士康科技集團有限公司", "富士康科技"),
        ("深圳市华强电子股份有限公司", "深圳市华强电子"),
        ("Siemens AG", "siemens"),
        ("Ｌｉｔｅｏｎ　Ｃｏｒｐ．", "liteon"),
    ],
)
def test_normalize_name_removes_legal_forms(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_normalize_name_keeps_a_name_that_is_only_a_legal_word() -> None:
    assert normalize_name("Company") == "company"
