"""News feeds, fetched documents, articles (stories), their sources, supplier links and tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskradar.domain.base import Base, TimestampMixin, utcnow


class Feed(TimestampMixin, Base):
    """A registered RSS/Atom feed, or a per-supplier search feed generated from a template."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    lang: Mapped[Optional[str]] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16), default="static")  # static | supplier_search
    supplier_id: Mapped[Optional[int]] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    credibility: Mapped[float] = mapped_column(default=0.7)  # 0..1 source credibility weight
    poll_interval_minutes: Mapped[int] = mapped_column(default=30)
    enabled: Mapped[bool] = mapped_column(default=True)
    etag: Mapped[Optional[str]] = mapped_column(String(512))
    last_modified: Mapped[Optional[str]] = mapped_column(String(128))
    last_polled_at: Mapped[Optional[datetime]] = mapped_column()
    last_success_at: Mapped[Optional[datetime]] = mapped_column()
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    next_poll_at: Mapped[Optional[datetime]] = mapped_column(index=True)


class FeedFetch(Base):
    """One fetch of a feed: outcome, HTTP status, what was parsed, where the raw body is kept."""

    __tablename__ = "feed_fetches"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))  # ok | not_modified | bozo | error
    http_status: Mapped[Optional[int]] = mapped_column()
    size_bytes: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[Optional[str]] = mapped_column(String(64))
    stored_path: Mapped[Optional[str]] = mapped_column(Text)
    entries_seen: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    articles_duplicate: Mapped[int] = mapped_column(default=0)
    entries_rejected: Mapped[int] = mapped_column(default=0)
    error: Mapped[Optional[str]] = mapped_column(Text)
    problems: Mapped[list[Any]] = mapped_column(default=list)


class Article(Base):
    """A news story: one per event report, however many outlets syndicated it."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_published", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[Optional[str]] = mapped_column(Text)
    url: Mapped[Optional[str]] = mapped_column(String(2048))
    lang: Mapped[Optional[str]] = mapped_column(String(8))
    published_at: Mapped[Optional[datetime]] = mapped_column()
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    title_key: Mapped[str] = mapped_column(String(64), index=True)  # fingerprint for near-duplicates
    source_count: Mapped[int] = mapped_column(default=1)
    classified_at: Mapped[Optional[datetime]] = mapped_column()
    model_version: Mapped[Optional[str]] = mapped_column(String(64))
    linked_at: Mapped[Optional[datetime]] = mapped_column()

    sources: Mapped[list["ArticleSource"]] = relationship(back_populates="article", cascade="all, delete-orphan")
    links: Mapped[list["ArticleSupplierLink"]] = relationship(back_populates="article", cascade="all, delete-orphan")
    tags: Mapped[list["ArticleTag"]] = relationship(back_populates="article", cascade="all, delete-orphan")


class ArticleSource(Base):
    """One outlet's copy of a story (guid/link as that feed gave it)."""

    __tablename__ = "article_sources"
    __table_args__ = (UniqueConstraint("entry_key", name="uq_article_sources_entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[Optional[int]] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"), index=True)
    entry_key: Mapped[str] = mapped_column(String(64))  # sha256 of guid or canonical link
    guid: Mapped[Optional[str]] = mapped_column(String(2048))
    url: Mapped[Optional[str]] = mapped_column(String(2048))
    title: Mapped[Optional[str]] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="sources")


class ArticleSupplierLink(Base):
    """An article mentions a supplier: which name matched, and where (evidence)."""

    __tablename__ = "article_supplier_links"
    __table_args__ = (UniqueConstraint("article_id", "supplier_id", name="uq_article_links_article_supplier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), index=True)
    matched_text: Mapped[str] = mapped_column(String(255))
    field: Mapped[str] = mapped_column(String(16), default="title")  # title | summary
    span_start: Mapped[int] = mapped_column(default=0)
    span_end: Mapped[int] = mapped_column(default=0)
    confidence: Mapped[float] = mapped_column(default=1.0)

    article: Mapped[Article] = relationship(back_populates="links")


class ArticleTag(Base):
    """A classifier label on an article, with probability, decision, evidence and review."""

    __tablename__ = "article_tags"
    __table_args__ = (
        UniqueConstraint("article_id", "label", name="uq_article_tags_article_label"),
        Index("ix_article_tags_label_decided", "label", "decided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(32))
    probability: Mapped[float] = mapped_column()
    decided: Mapped[bool] = mapped_column(default=False)
    evidence: Mapped[list[Any]] = mapped_column(default=list)  # [{"text": ..., "weight": ...}]
    model_version: Mapped[Optional[str]] = mapped_column(String(64))
    review_status: Mapped[str] = mapped_column(String(16), default="unreviewed")  # unreviewed | confirmed | dismissed
    reviewed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column()

    article: Mapped[Article] = relationship(back_populates="tags")


class TrainingExample(Base):
    """A labelled text from analyst feedback, used at the next retraining."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[Optional[str]] = mapped_column(String(8))
    labels: Mapped[list[Any]] = mapped_column(default=list)
    negative_labels: Mapped[list[Any]] = mapped_column(default=list)  # labels an analyst rejected
    source: Mapped[str] = mapped_column(String(32), default="analyst_feedback")
    article_id: Mapped[Optional[int]] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_in_model: Mapped[Optional[str]] = mapped_column(String(64))
