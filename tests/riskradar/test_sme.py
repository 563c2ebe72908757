"""SME CSR evaluation: indicator table, grade bands with +/- refinement, preconditions, validity."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskradar import sme


def test_indicator_table_has_54_indicators_worth_1000_points() -> None:
    table = sme.indicators()
    assert len(table) == 54
    assert sum(i.points for i in table.values()) == 1000
    assert table["5.1.1"].name_zh == "遵守法律法规"


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (1000, "AAA"), (951, "AAA"), (950, "AA+"), (917, "AA+"), (916, "AA"), (884, "AA"), (883, "AA-"),
        (851, "AA-"), (850, "A+"), (751, "A-"), (750, "BBB+"), (651, "BBB-"), (650, "BB+"), (551, "BB-"),
        (550, "B+"), (351, "B-"), (350, "C"), (0, "C"),
    ],
)
def test_band_boundaries(total: float, grade: str) -> None:
    assert sme.rate(total) == grade


def test_fractional_total_above_a_bound_is_in_the_higher_band() -> None:
    assert sme.base_grade(850.5) == "AA"
    assert sme.base_grade(350.5) == "B"


def test_preconditions_not_met_gives_no_rating() -> None:
    assert sme.rate(990, preconditions_met=False) is None


@pytest.mark.parametrize("total", [-1, 1000.5, 5000])
def test_total_out_of_range_is_rejected(total: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1000"):
        sme.rate(total)


@given(st.floats(min_value=0, max_value=1000, allow_nan=False))
def test_rating_is_monotonic_and_refinement_only_inside_refinable_bands(total: float) -> None:
    grade = sme.rate(total)
    base = sme.base_grade(total)
    assert grade is not None and grade.rstrip("+-") == base
    if base in ("AAA", "C"):
        assert grade == base
    order = list(sme.GRADES)
    higher = min(total + 1, 1000)
    assert order.index(sme.base_grade(higher)) <= order.index(base)


def test_rating_is_valid_for_one_year() -> None:
    assert sme.is_valid(date(2024, 3, 1), date(2025, 2, 28))
    assert not sme.is_valid(date(2024, 3, 1), date(2025, 3, 1))
    assert not sme.is_valid(date(2024, 3, 1), date(2024, 2, 29))
    assert sme.valid_until(date(2024, 2, 29)) == date(2025, 2, 28)
