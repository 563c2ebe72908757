"""Analyst review of a classifier tag: confirm or dismiss (feeds retraining and rescoring)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.lifecycle import record_feedback
from riskradar.domain.news import ArticleSupplierLink, ArticleTag
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
    # One place records verdicts: the tag's review status and the training example.
    record_feedback(session, tag.article_id, tag.label, action == "confirm", user_id)
    supplier_ids = select(ArticleSupplierLink.supplier_id).where(ArticleSupplierLink.article_id == tag.article_id)
    session.execute(update(Supplier).where(Supplier.id.in_(supplier_ids)).values(needs_rescore=True)
                    .execution_options(synchronize_session=False))
    session.flush()
    return tag
