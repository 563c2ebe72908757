"""Evaluation: per-label precision / recall / F1, overall and per language, red-line macro-F1.

Definitions (what ``riskradar model evaluate --json`` prints):

- per label: ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``, ``f1`` their harmonic
  mean, ``support = TP + FN`` (texts that truly carry the label). A ratio whose denominator is 0
  is reported as 0.0.
- ``macro_f1``: the mean F1 over the four red lines that occur in the slice (support > 0 or at
  least one prediction); red lines absent from both truth and predictions are left out (they
  are neither right nor wrong). ``None`` when no red line occurs at all.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

import numpy as np

from models.corpus import Example
from models.redline import LABELS, RED_LINES, RedLineClassifier


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def metrics_from_matrices(Y: np.ndarray, P: np.ndarray, labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Metrics from 0/1 truth ``Y`` and prediction ``P`` matrices (n_texts × n_labels)."""
    per_label: dict[str, dict[str, Any]] = {}
    macro_terms: list[float] = []
    for j, lab in enumerate(labels):
        y, p = Y[:, j].astype(bool), P[:, j].astype(bool)
        tp, fp, fn = int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum())
        precision, recall, f1 = _prf(tp, fp, fn)
        per_label[lab] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                          "support": int(y.sum()), "predicted": int(p.sum())}
        if lab in RED_LINES and (tp + fn + fp) > 0:
            macro_terms.append(f1)
    macro = round(float(np.mean(macro_terms)), 4) if macro_terms else None
    return {"n": int(Y.shape[0]), "macro_f1": macro, "per_label": per_label}


def _matrix(label_sets: Sequence[Sequence[str]], labels: Sequence[str] = LABELS) -> np.ndarray:
    index = {lab: j for j, lab in enumerate(labels)}
    M = np.zeros((len(label_sets), len(labels)), dtype=np.int8)
    for i, labs in enumerate(label_sets):
        for lab in labs:
            if lab in index:
                M[i, index[lab]] = 1
    return M


def score(truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]],
          langs: Sequence[str]) -> dict[str, Any]:
    """Overall and per-language metrics from label lists (pure function; easy to check by hand)."""
    if not (len(truth) == len(predicted) == len(langs)):
        raise ValueError("truth, predicted and langs must have the same length")
    Y, P = _matrix(truth), _matrix(predicted)
    out = metrics_from_matrices(Y, P)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        groups[lang].append(i)
    out["per_lang"] = {lang: metrics_from_matrices(Y[idx], P[idx]) for lang, idx in sorted(groups.items())}
    return out


def evaluate(clf: RedLineClassifier, examples: Sequence[Example], *, batch: int = 512) -> dict[str, Any]:
    """Classify ``examples`` and score them against their labels."""
    predicted: list[list[str]] = []
    for start in range(0, len(examples), batch):
        chunk = examples[start:start + batch]
        predicted += [c.positive for c in clf.classify_many([e.text for e in chunk], evidence="none")]
    result = score([e.labels for e in examples], predicted, [e.lang for e in examples])
    result["model_version"] = clf.version
    return result


def errors(clf: RedLineClassifier, examples: Sequence[Example]) -> list[dict[str, Any]]:
    """The misclassified examples (for error analysis; never used for tuning on held-out)."""
    out = []
    for e, c in zip(examples, clf.classify_many([e.text for e in examples], evidence="none")):
        if set(c.positive) != set(e.labels):
            out.append({"id": e.id, "text": e.text, "truth": e.labels, "predicted": c.positive,
                        "probabilities": {k: round(v.probability, 3) for k, v in c.labels.items()}})
    return out
