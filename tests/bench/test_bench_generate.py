"""The benchmark scale-data generator: reproducible from a seed, readable by the ORM, right shape."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from bench.generate import SCALES, build
from riskradar.db import Database
from riskradar.domain import Agreement, Article, ArticleSupplierLink, ArticleTag, AuditFinding, Supplier
from riskradar.domain.base import RED_LINES
from riskradar.settings import load_settings

TABLES = ("suppliers", "articles", "article_sources", "article_supplier_links", "article_tags", "audits",
          "audit_findings", "agreements")


def content_digest(path: Path) -> str:
    """A hash of every row of the generated tables, in id order."""
    digest = hashlib.sha256()
    with sqlite3.connect(path) as conn:
        for table in TABLES:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY id"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def test_same_seed_builds_the_same_database(tmp_path: Path) -> None:
    first = build(tmp_path / "a.db", "tiny", 5, log=lambda _: None)
    build(tmp_path / "b.db", "tiny", 5, log=lambda _: None)
    build(tmp_path / "c.db", "tiny", 6, log=lambda _: None)
    assert content_digest(tmp_path / "a.db") == content_digest(tmp_path / "b.db")
    assert content_digest(tmp_path / "a.db") != content_digest(tmp_path / "c.db")
    wanted = SCALES["tiny"]
    assert first["rows"]["suppliers"] == wanted["suppliers"]
    assert first["rows"]["articles"] == wanted["articles"]
    assert first["rows"]["audit_findings"] == wanted["findings"]


def test_generated_rows_read_back_through_the_orm(tmp_path: Path) -> None:
    path = tmp_path / "scale.db"
    build(path, "tiny", 5, log=lambda _: None)
    db = Database(load_settings(env={}, data_dir=tmp_path, database_url=f"sqlite:///{path}", secret_key="x"))
    try:
        with db.scope() as session:
            chinese = session.scalars(select(Supplier).where(Supplier.country == "CN").limit(1)).one()
            assert chinese.name_zh and chinese.short_name and isinstance(chinese.aliases, list)
            assert chinese.created_at.tzinfo is not None
            link = session.scalars(select(ArticleSupplierLink).limit(1)).one()
            article = session.get(Article, link.article_id)
            assert article.title[link.span_start:link.span_end] == link.matched_text
            n_articles = session.scalar(select(func.count(Article.id)))
            n_linked = session.scalar(select(func.count(func.distinct(ArticleSupplierLink.article_id))))
            n_red = session.scalar(select(func.count(func.distinct(ArticleTag.article_id)))
                                   .where(ArticleTag.decided.is_(True), ArticleTag.label.in_(RED_LINES)))
            assert 0.01 < n_linked / n_articles < 0.1
            assert 0.01 < n_red / n_articles < 0.06
            assert session.scalar(select(func.count()).where(AuditFinding.severity == "zero_tolerance")) > 0
            n_agreements = session.scalar(select(func.count(Agreement.id)))
            assert 0.7 < n_agreements / SCALES["tiny"]["suppliers"] < 0.95
    finally:
        db.dispose()
