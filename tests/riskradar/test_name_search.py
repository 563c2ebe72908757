"""Supplier name search: the in-memory index and the SQL LIKE condition give the same answers."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboards.queries import Filters, TTLCache, supplier_page
from riskradar.db import Database
from riskradar.domain import Supplier
from riskradar.services.name_search import NameSearchIndex, clean_query, name_condition
from riskradar.services.suppliers import list_suppliers

QUERIES = ["电子", "深圳", "ACME", "acme", "sup-00", "Hong", "华强", "50%", "a_b", "nothing-matches", "东莞"]


def _add_suppliers(session: Session) -> None:
    session.add_all([
        Supplier(external_ref="SUP-001", country="HK", name_zh="深圳华强电子有限公司",
                 name_en="Shenzhen Huaqiang Electronics Co., Ltd."),
        Supplier(external_ref="SUP-002", country="CN", name_zh="东莞纺织厂", name_en="Dongguan Textile Mill",
                 short_name="DG Textile"),
        Supplier(external_ref="SUP-003", country="US", name_en="ACME Components", aliases=["艾克米电子", "Acme HK"]),
        Supplier(external_ref="SUP-004", country="HK", name_zh="香港鸿利贸易", name_en="Hong Lee Trading 50% Co",
                 short_name="a_b"),
        Supplier(external_ref="X-9", country="VN", name_en="Plain Parts"),
    ])
    session.commit()


def _sql_ids(session: Session, q: str) -> set[int]:
    return set(session.scalars(select(Supplier.id).where(name_condition(q))))


@pytest.mark.parametrize("q", QUERIES)
def test_index_and_sql_agree(any_db: Database, q: str) -> None:
    with any_db.scope() as session:
        _add_suppliers(session)
        index = NameSearchIndex.build(session)
        assert set(index.find(q) or []) == _sql_ids(session, q)


def test_aliases_are_searched_in_chinese(session: Session) -> None:
    _add_suppliers(session)
    acme = session.scalar(select(Supplier.id).where(Supplier.external_ref == "SUP-003"))
    assert NameSearchIndex.build(session).find("艾克米") == [acme]
    assert _sql_ids(session, "艾克米") == {acme}


def test_a_supplier_matching_in_several_fields_is_found_once(session: Session) -> None:
    _add_suppliers(session)
    # "acme" is in the English name and in an alias of SUP-003.
    assert len(NameSearchIndex.build(session).find("acme") or []) == 1


def test_too_many_matches_give_none_so_the_caller_uses_sql(session: Session) -> None:
    _add_suppliers(session)
    index = NameSearchIndex.build(session)
    assert index.find("s", max_ids=2) is None
    assert len(index.find("s", max_ids=10) or []) >= 3


def test_a_query_cannot_match_across_two_fields(session: Session) -> None:
    _add_suppliers(session)
    # The end of the reference and the start of the Chinese name, joined by the field separator.
    assert NameSearchIndex.build(session).find("001\x1f深圳") == []


def test_control_characters_and_case_are_ignored_in_queries() -> None:
    assert clean_query("  ACME\x00 \n") == "acme"


def test_supplier_page_gives_the_same_page_with_and_without_the_index(session: Session) -> None:
    _add_suppliers(session)
    index = NameSearchIndex.build(session)
    for q in QUERIES:
        with_index = supplier_page(session, Filters(q=q), sort="ref", name_index=index)
        with_sql = supplier_page(session, Filters(q=q), sort="ref")
        assert ([s.external_ref for s in with_index[0]], with_index[1]) == \
            ([s.external_ref for s in with_sql[0]], with_sql[1]), q


def test_search_combines_with_other_filters(session: Session) -> None:
    _add_suppliers(session)
    session.execute(Supplier.__table__.update().where(Supplier.external_ref == "SUP-001").values(country="CN"))
    session.commit()
    rows, total = supplier_page(session, Filters(q="电子", country="CN"), name_index=NameSearchIndex.build(session))
    assert ([s.external_ref for s in rows], total) == (["SUP-001"], 1)


def test_the_cli_listing_searches_aliases(session: Session) -> None:
    _add_suppliers(session)
    rows, total = list_suppliers(session, q="Acme HK")
    assert [s.external_ref for s in rows] == ["SUP-003"] and total == 1


def test_concurrent_misses_on_one_key_compute_once() -> None:
    cache = TTLCache()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k", 30, slow)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8 and len(calls) == 1


def test_a_failed_computation_is_not_cached_and_waiters_retry() -> None:
    cache = TTLCache()
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            time.sleep(0.1)
            raise RuntimeError("database busy")
        return "ok"

    errors: list[Exception] = []
    results: list[str] = []

    def call() -> None:
        try:
            results.append(cache.get_or_compute("k", 30, flaky))
        except RuntimeError as exc:
            errors.append(exc)

    first = threading.Thread(target=call)
    first.start()
    time.sleep(0.02)
    second = threading.Thread(target=call)
    second.start()
    first.join()
    second.join()
    assert len(errors) == 1 and results == ["ok"]


@pytest.mark.parametrize("q", ["电子", "nothing-matches"])
def test_a_page_through_the_index_lists_what_the_sql_search_lists(any_db: Database, q: str) -> None:
    # The index's ids reach SQL as inlined integers (dashboards.queries.ids_condition), on both databases.
    with any_db.scope() as session:
        _add_suppliers(session)
        index = NameSearchIndex.build(session)
        rows, total = supplier_page(session, Filters(q=q, country="HK"), sort="ref", name_index=index)
        expected = sorted(s.external_ref for s in session.scalars(
            select(Supplier).where(name_condition(q), Supplier.country == "HK")))
        assert [s.external_ref for s in rows] == expected and total == len(expected)
