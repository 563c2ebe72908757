"""riskradar.linking: supplier name matching in article text."""

from __future__ import annotations

import pytest

from riskradar.domain.suppliers import Supplier
from riskradar.linking import SupplierMatcher, get_matcher, name_variants

SUPPLIERS = [
    (1, ["深圳市华强电子有限公司", "Huaqiang Electronics Co., Ltd.", "华强电子"]),
    (2, ["富士康科技集團有限公司", "Foxconn Technology Group", "鸿海精密"]),
    (3, ["Apex Components GmbH", None, "Apex"]),
    (4, ["China International Group", "国际集团", "电子"]),  # only generic names
    (5, ["XY Ltd", "东", None]),  # too short
]


@pytest.fixture(scope="module")
def matcher() -> SupplierMatcher:
    return SupplierMatcher.from_names(SUPPLIERS)


def ids(matches):  # type: ignore[no-untyped-def]
    return [m.supplier_id for m in matches]


def test_chinese_full_name_with_legal_suffix(matcher):
    assert ids(matcher.find("深圳市华强电子有限公司发生火灾")) == [1]


def test_chinese_name_without_suffix_or_city_prefix(matcher):
    assert ids(matcher.find("记者获悉，华强电子一车间起火")) == [1]


def test_traditional_chinese_text_matches_simplified_name(matcher):
    match = matcher.find("據報導，富士康科技集團員工投訴加班")[0]
    assert match.supplier_id == 2 and match.matched_text == "富士康科技"


def test_english_name_ignores_legal_suffix_and_case(matcher):
    assert ids(matcher.find("Workers at HUAQIANG ELECTRONICS walked out")) == [1]
    assert ids(matcher.find("Foxconn Technology said on Monday")) == [2]


def test_alias_matches(matcher):
    assert ids(matcher.find("鸿海精密发布公告")) == [2]


def test_english_matches_respect_word_boundaries(matcher):
    assert matcher.find("Apexcomponents and ApexComponentsX are not it") == []
    assert ids(matcher.find("A fire at Apex Components, the supplier")) == [3]


def test_short_and_generic_names_are_never_matched(matcher):
    assert matcher.find("China International Group and 国际集团 signed a deal; 电子 exports rose") == []
    assert matcher.find("东部地区 XY Ltd reported") == []
    assert name_variants("Group") == set() and name_variants("中国") == set() and name_variants("ABB") == set()


def test_span_is_evidence_in_the_original_text(matcher):
    text = "ﬁre… 华强电子 Huaqiang Electronics"  # the ligature and ellipsis change length when folded
    for match in matcher.find(text):
        assert text[match.start:match.end] == match.matched_text
    assert [m.matched_text for m in matcher.find(text)] == ["华强电子", "Huaqiang Electronics"]


def test_longest_match_wins_and_overlaps_are_dropped(matcher):
    matches = matcher.find("深圳市华强电子有限公司")
    assert len(matches) == 1 and matches[0].matched_text == "深圳市华强电子有限公司"


def test_shared_name_links_every_owner_as_ambiguous():
    m = SupplierMatcher.from_names([(1, ["Golden Dragon Textiles"]), (2, ["Golden Dragon Textiles"])])
    found = m.find("Golden Dragon Textiles fined")
    assert ids(found) == [1, 2] and all(x.ambiguous for x in found)


def test_matcher_from_database_is_rebuilt_when_suppliers_change(session):
    session.add(Supplier(external_ref="S1", name_zh="东莞宏达鞋业有限公司", name_en="Hongda Footwear Co., Ltd.",
                         short_name="宏达鞋业", aliases=["Hongda Shoes"], country="CN"))
    session.commit()
    first = get_matcher(session)
    assert ids(first.find("Hongda Shoes workers protest")) == [first_id(session)]
    assert get_matcher(session) is first  # cached while nothing changed
    session.add(Supplier(external_ref="S2", name_zh="苏州明辉纺织有限公司", name_en="Minghui Textile", country="CN"))
    session.commit()
    second = get_matcher(session)
    assert second is not first and len(second.find("明辉纺织停产整顿")) == 1


def first_id(session):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return session.scalar(select(Supplier.id).where(Supplier.external_ref == "S1"))


def test_place_stripped_alias_that_leaves_an_everyday_word_is_not_searched() -> None:
    from riskradar.linking import name_variants

    # "合肥新建" without its city is "新建" (newly built), which appears in ordinary news.
    assert "新建" not in name_variants("合肥新建")
    assert "合肥新建" in name_variants("合肥新建")
