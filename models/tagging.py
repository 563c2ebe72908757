"""Tag stored articles with the red-line classifier (called by ingestion after new articles land)."""

from __future__ import annotations

import html
import re
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar.domain.base import utcnow
from riskradar.domain.news import Article, ArticleTag

#: A tag row is stored for decided labels and for near misses whose probability reaches this share
#: of the label's threshold (analysts can see "almost" cases; alerts use ``decided`` only).
NEAR_MISS_SHARE = 0.5
_TAG = re.compile(r"<[^>]+>")
SEPARATOR = ". "


def article_text(title: str | None, summary: str | None) -> tuple[str, int]:
    """The text classified for an article and where the summary starts in it.

    Summaries from feeds are sanitised HTML: tags are dropped and entities unescaped, so evidence
    offsets refer to the plain text.
    """
    title = (title or "").strip()
    plain = html.unescape(_TAG.sub(" ", summary or "")).strip()
    plain = re.sub(r"\s+", " ", plain)
    if not plain:
        return title, len(title) + len(SEPARATOR)
    return f"{title}{SEPARATOR}{plain}", len(title) + len(SEPARATOR)


def _field_evidence(evidence: Sequence[dict[str, Any]], summary_start: int) -> list[dict[str, Any]]:
    """Add ``field`` and field-relative ``field_start``/``field_end`` to each span."""
    out = []
    for e in evidence:
        item = dict(e)
        if e["start"] >= summary_start:
            item.update(field="summary", field_start=e["start"] - summary_start, field_end=e["end"] - summary_start)
        else:
            item.update(field="title", field_start=e["start"],
                        field_end=min(e["end"], summary_start - len(SEPARATOR)))
        out.append(item)
    return out


def tag_articles(session: Session, articles: Iterable[Article], classifier: Any = None, *,
                 settings: Any = None, batch: int = 256) -> int:
    """Classify each article's title + summary and write its :class:`ArticleTag` rows.

    A row is written (or updated) for every decided label and every near miss; earlier
    unreviewed tags that no longer qualify are removed, reviewed ones are kept. Sets
    ``classified_at`` and ``model_version`` on each article. ``classifier`` defaults to
    :func:`models.redline.default_classifier` (the promoted model under ``settings`` when given).
    Returns the number of tag rows written. The caller commits.
    """
    if classifier is None:
        from models.redline import default_classifier

        classifier = default_classifier(settings)
    items = list(articles)
    written = 0
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        texts = [article_text(a.title, a.summary) for a in chunk]
        results = classifier.classify_many([t for t, _ in texts], evidence="decided")
        ids = [a.id for a in chunk if a.id is not None]
        existing: dict[tuple[int, str], ArticleTag] = {}
        if ids:
            for tag in session.scalars(select(ArticleTag).where(ArticleTag.article_id.in_(ids))):
                existing[(tag.article_id, tag.label)] = tag
        now = utcnow()
        for article, (text, summary_start), result in zip(chunk, texts, results):
            if article.id is None:
                session.flush()
            for label, r in result.labels.items():
                keep = r.decided or r.probability >= r.threshold * NEAR_MISS_SHARE
                tag = existing.get((article.id, label))
                if not keep:
                    if tag is not None and tag.review_status == "unreviewed":
                        session.delete(tag)
                    continue
                evidence = _field_evidence(r.evidence, summary_start)
                if tag is None:
                    tag = ArticleTag(article_id=article.id, label=label)
                    session.add(tag)
                tag.probability = round(float(r.probability), 6)
                tag.decided = bool(r.decided)
                tag.evidence = evidence
                tag.model_version = result.version
                written += 1
            article.classified_at = now
            article.model_version = result.version
        session.flush()
    return written
