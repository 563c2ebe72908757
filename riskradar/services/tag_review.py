"""Analyst review of a classifier tag: confirm or dismiss (feeds retraining and rescoring)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from riskradar.domain.base import utcnow
from riskradar.domain.news import Article, ArticleSupplierLink, ArticleTag, TrainingExample
from riskradar.domain.suppliers import Supplier

REVIEW_ACTIONS = ("confirm", "dismiss")


def review_tag(session: Session, tag_id: int, user_id: int | None, action: str) -> ArticleTag:
    """Mark tag ``tag_id`` confirmed or dismissed by ``user_id``.

    Records a :class:`TrainingExample` (positive label for confirm, negative for dismiss) for the
    next retraining and flags the linked suppliers for rescoring. Raises ``LookupError`` for an
    unknown tag and ``ValueError`` for an unknown action. The caller commits.
    """
    if action not in REVIEW_ACTIONS:
        raise ValueError(f"unknown review action {action!r}; expected confirm or dismiss")
    tag = session.get(ArticleTag, tag_id)
    if tag is None:
        raise LookupError(f"no tag {tag_id}")
    tag.review_status = "confirmed" if action == "confirm" else "dismissed"
    tag.reviewed_by = user_id
    tag.reviewed_at = utcnow()
    article = session.get(Article, tag.article_id)
    if article is not None:
        text = article.title + (f". {article.summary}" if article.summary else "")
        session.add(TrainingExample(
            text=text, lang=article.lang, article_id=article.id, created_by=user_id,
            labels=[tag.label] if action == "confirm" else [],
            negative_labels=[tag.label] if action == "dismiss" else []))
    supplier_ids = select(ArticleSupplierLink.supplier_id).where(ArticleSupplierLink.article_id == tag.article_id)
    session.execute(update(Supplier).where(Supplier.id.in_(supplier_ids)).values(needs_rescore=True)
                    .execution_options(synchronize_session=False))
    session.flush()
    return tag
