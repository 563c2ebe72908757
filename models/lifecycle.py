"""Model lifecycle: analyst feedback as training data, scheduled retraining with a promotion gate."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.behaviour import behaviour_failures
from models.corpus import Example, load_corpus, split
from models.redline import (BUNDLED_DIR, CARD_SUFFIX, LABELS, RED_LINES, configure,
                            current_version, load_classifier, model_dir, set_current)
from riskradar.domain.base import utcnow
from riskradar.domain.news import Article, ArticleTag, TrainingExample

log = logging.getLogger(__name__)
FEEDBACK_SOURCE = "analyst_feedback"


def record_feedback(session: Session, article_id: int, label: str, confirmed: bool,
                    user_id: int | None) -> TrainingExample:
    """Store an analyst's verdict on one label of one article as a training example.

    One :class:`TrainingExample` per article collects all verdicts: a confirmed label goes to
    ``labels``, a dismissed one to ``negative_labels`` (a later verdict on the same label wins).
    The article's tag, if any, is marked reviewed. Raises ``ValueError`` for an unknown label or
    article. The caller commits.
    """
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}; known: {', '.join(LABELS)}")
    article = session.get(Article, article_id)
    if article is None:
        raise ValueError(f"article {article_id} does not exist")
    from models.tagging import article_text

    example = session.scalars(select(TrainingExample).where(
        TrainingExample.article_id == article_id, TrainingExample.source == FEEDBACK_SOURCE)).first()
    if example is None:
        example = TrainingExample(text=article_text(article.title, article.summary)[0], lang=article.lang,
                                  labels=[], negative_labels=[], source=FEEDBACK_SOURCE,
                                  article_id=article_id, created_by=user_id)
        session.add(example)
    positives = [x for x in (example.labels or []) if x != label]
    negatives = [x for x in (example.negative_labels or []) if x != label]
    (positives if confirmed else negatives).append(label)
    # Reassign (not mutate) so the JSON columns are flagged dirty.
    example.labels = sorted(positives)
    example.negative_labels = sorted(negatives)
    example.used_in_model = None
    tag = session.scalars(select(ArticleTag).where(ArticleTag.article_id == article_id,
                                                   ArticleTag.label == label)).first()
    if tag is not None:
        tag.review_status = "confirmed" if confirmed else "dismissed"
        tag.reviewed_by = user_id
        tag.reviewed_at = utcnow()
    session.flush()
    return example


def feedback_examples(session: Session) -> list[Example]:
    """Analyst feedback as training examples (labels an analyst did not confirm count as negatives)."""
    out = []
    for row in session.scalars(select(TrainingExample).order_by(TrainingExample.id)):
        if not (row.text or "").strip():
            continue
        out.append(Example(text=row.text, lang=(row.lang or "und"), labels=sorted(set(row.labels or [])),
                           id=f"feedback-{row.id}", source_url=f"feedback://{row.id}",
                           event=f"feedback {row.id}", split="train", origin=f"training_examples:{row.id}"))
    return out


def _summary(metrics: dict[str, Any] | None) -> dict[str, Any] | None:
    if metrics is None:
        return None
    return {"macro_f1": metrics["macro_f1"],
            "recall": {lab: metrics["per_label"][lab]["recall"] for lab in RED_LINES},
            "precision": {lab: metrics["per_label"][lab]["precision"] for lab in RED_LINES}}


def not_worse(candidate: dict[str, Any], current: dict[str, Any] | None) -> tuple[bool, str]:
    """The promotion gate: red-line macro-F1 and every red-line recall must not fall."""
    if current is None:
        return True, "no current model to compare with"
    if (candidate["macro_f1"] or 0.0) < (current["macro_f1"] or 0.0):
        return False, f"red-line macro-F1 fell from {current['macro_f1']} to {candidate['macro_f1']}"
    for lab in RED_LINES:
        new, old = candidate["per_label"][lab]["recall"], current["per_label"][lab]["recall"]
        if new < old:
            return False, f"{lab} recall fell from {old} to {new}"
    return True, "red-line macro-F1 and recall did not fall"


def no_new_failures(candidate: list[str], current: list[str] | None) -> tuple[bool, str]:
    """The behaviour gate: the candidate may not fail a check (:mod:`models.behaviour`) the current model passes."""
    failed_before = set(current or [])
    new = [f for f in candidate if f not in failed_before]
    if current is not None and new:
        return False, f"fails {len(new)} behaviour check(s) the current model passes: " + "; ".join(new)
    return True, "no new behaviour-check failures"


def retrain_if_better(db: Any, settings: Any, *, config: Any = None, corpus: Sequence[str | Path] | None = None,
                      include_bundled: bool = True, now: datetime | None = None) -> dict[str, Any]:
    """Retrain on the corpus train split + analyst feedback; promote only if held-out metrics hold.

    The candidate and the current model (the promoted one under ``settings.model_dir``, else the
    bundled artifact unless ``include_bundled`` is False) are both scored on the corpus held-out
    split and on the behaviour checks; the candidate becomes ``current`` only when
    :func:`not_worse` and :func:`no_new_failures` pass. A rejected
    candidate's files are removed. Returns a summary dict (what the scheduler's job run records).
    """
    from models.evaluate import evaluate
    from models.train import train_and_save

    examples = load_corpus(corpus)
    heldout = split(examples, "heldout")
    with db.scope() as session:
        extra = feedback_examples(session)
    target = model_dir(settings)
    current_path = None
    if current_version(target):
        current_path = target
    elif include_bundled and current_version(BUNDLED_DIR):
        current_path = BUNDLED_DIR
    current_metrics = None
    current_ver = None
    current_failures = None
    if current_path is not None:
        current = load_classifier(current_path)
        current_ver = current.version
        current_failures = behaviour_failures(current)
        current_metrics = evaluate(current, heldout) if heldout else None
    clf, card, path = train_and_save(examples, target, config=config, extra=extra, make_current=False, now=now)
    candidate_metrics = card["heldout_metrics"]
    if candidate_metrics is None:
        ok, reason = (current_path is None), "no held-out split to evaluate on"
    else:
        ok, reason = not_worse(candidate_metrics, current_metrics)
    candidate_failures = card["behaviour_failures"]
    if ok:
        ok, reason = no_new_failures(candidate_failures, current_failures)
    if ok:
        set_current(target, clf.version)
        configure(settings)  # this process's ingestion now tags with the promoted model
        with db.scope() as session:
            for row in session.scalars(select(TrainingExample).where(TrainingExample.used_in_model.is_(None))):
                row.used_in_model = clf.version
    elif current_ver != clf.version:
        path.unlink(missing_ok=True)
        (target / f"{clf.version}{CARD_SUFFIX}").unlink(missing_ok=True)
    log.info("retrain: candidate %s %s (%s)", clf.version, "promoted" if ok else "rejected", reason)
    return {"promoted": ok, "reason": reason, "candidate_version": clf.version, "current_version": current_ver,
            "model_dir": str(target), "feedback_examples": len(extra), "train_items": card["data"]["train_items"],
            "candidate": _summary(candidate_metrics), "current": _summary(current_metrics),
            "candidate_behaviour_failures": candidate_failures}


__all__ = ["record_feedback", "feedback_examples", "retrain_if_better", "not_worse", "no_new_failures"]
