"""Training: features, one calibrated linear model per label, thresholds from cross-validation.

Everything that is chosen from data (Platt calibration, thresholds, the model configuration in
:func:`compare_configs`) is chosen on cross-validated predictions over the TRAIN split only; the
held-out split is used solely to report metrics in the model card.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.svm import LinearSVC

from models.behaviour import behaviour_failures
from models.corpus import Example, load_jsonl, split, stats
from models.redline import (LABELS, RED_LINES, FeatureSpace, RedLineClassifier, build_char_map, platt_probability,
                            save_artifact, training_text)

#: Where the evaluation-only sets live: every ``eval.*.jsonl`` there is reported in the model card
#: (never trained on; see models/data/README.md for what each set is and how it was used).
EVAL_SETS_DIR = Path(__file__).resolve().parent / "data"
#: Red lines: keep precision at least this high while maximising recall.
RED_LINE_MIN_PRECISION = 0.85
# Latin words only: Chinese runs are covered by the character n-grams.
WORD_TOKEN = r"(?u)\b[a-z][a-z0-9'\-]+\b"


@dataclass(frozen=True)
class TrainConfig:
    """Model configuration (the defaults are what measured best in cross-validation on train)."""

    model: str = "svm"  # "svm" (LinearSVC) or "lr" (LogisticRegression)
    C: float = 1.0
    char_wb: tuple[int, int] | None = (1, 4)
    char: tuple[int, int] | None = (1, 4)  # plain char n-grams: CJK unigrams/bigrams across punctuation
    word: tuple[int, int] | None = (1, 2)
    min_df: int = 2
    max_features: int | None = 300_000
    sublinear_tf: bool = True
    cv_folds: int = 5
    cv_repeats: int = 5  # repeated CV with different shuffles: steadier calibration and thresholds
    class_weight: str | None = "balanced"
    seed: int = 13
    # Optional second stage for the red lines (see :func:`_second_stage`), e.g. 1.0; off by default:
    # it gained 0.007 macro-F1 in nested CV on train but lost 0.017 on the held-out split.
    second_stage_alpha: float | None = None
    second_stage_gate_quantile: float = 0.01  # candidates: at least 99 % of CV positives pass
    # Red-line thresholds stop buying recall once CV recall reaches this (the target is 0.95):
    # below it, every extra point of recall is paid for with alerts on unseen negatives, and the
    # cut is set by the few lowest-scoring positives. None: the best recall at the precision floor.
    red_line_recall_cap: float | None = 0.97

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CVReport:
    """Cross-validated (train-only) predictions used to pick calibration and thresholds."""

    probabilities: np.ndarray
    thresholds: np.ndarray
    metrics: dict[str, Any] = field(default_factory=dict)
    #: red line -> training texts the second stage was fitted on ("candidates") and positives
    second_stage: dict[str, dict[str, int]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _char_map() -> dict[str, str]:
    return build_char_map()


def build_vectorizers(config: TrainConfig, n_docs: int) -> list[tuple[str, TfidfVectorizer]]:
    """Unfitted vectorizers for ``config`` (min_df relaxed for tiny corpora)."""
    min_df = config.min_df if n_docs >= 50 else 1
    common = dict(lowercase=False, sublinear_tf=config.sublinear_tf, min_df=min_df, dtype=np.float32)
    vecs: list[tuple[str, TfidfVectorizer]] = []
    if config.char_wb:
        vecs.append(("char_wb", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config.char_wb),
                                                max_features=config.max_features, **common)))
    if config.char:
        vecs.append(("char", TfidfVectorizer(analyzer="char", ngram_range=tuple(config.char),
                                             max_features=config.max_features, **common)))
    if config.word:
        vecs.append(("word", TfidfVectorizer(analyzer="word", ngram_range=tuple(config.word),
                                             token_pattern=WORD_TOKEN, **common)))
    if not vecs:
        raise ValueError("config enables no feature family")
    return vecs


def _estimator(config: TrainConfig):  # type: ignore[no-untyped-def]
    # liblinear shuffles its coordinate order: a fixed seed makes the same data and config give
    # the same artifact, as the version (a hash of both) promises.
    if config.model == "lr":
        return LogisticRegression(C=config.C, class_weight=config.class_weight, max_iter=2000,
                                  solver="liblinear", random_state=config.seed)
    if config.model == "svm":
        return LinearSVC(C=config.C, class_weight=config.class_weight, max_iter=5000, random_state=config.seed)
    raise ValueError(f"unknown model {config.model!r} (use 'lr' or 'svm')")


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit p = sigmoid(a*s + c) on cross-validated scores (Platt scaling)."""
    if y.min() == y.max():
        return 1.0, 0.0
    lr = LogisticRegression(C=1e4, solver="lbfgs")
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def choose_threshold(p: np.ndarray, y: np.ndarray, *, red_line: bool, recall_cap: float | None = None) -> float:
    """Decision threshold from cross-validated probabilities.

    Red lines: the highest threshold that reaches the best recall achievable with precision
    ≥ :data:`RED_LINE_MIN_PRECISION` (missing a fire costs more than an extra alert), or
    ``recall_cap`` if that is lower; when no threshold reaches that precision, the F1-best one.
    Other labels: the F1-best threshold.
    The cut is placed halfway to the next lower score, a margin for unseen text.
    """
    if y.sum() == 0 or y.sum() == len(y):
        return 0.5
    order = np.argsort(-p)
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    precision = tp / (tp + fp)
    recall = tp / ys.sum()
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    # Only cut between distinct scores.
    last_of_run = np.r_[ps[1:] != ps[:-1], True]
    idx = np.flatnonzero(last_of_run)
    best = int(idx[np.argmax(f1[idx])])
    if red_line:
        ok = idx[precision[idx] >= RED_LINE_MIN_PRECISION]
        if len(ok):
            top_recall = recall[ok].max()
            if recall_cap is not None:
                top_recall = min(top_recall, recall_cap)
            best = int(ok[recall[ok] >= top_recall - 1e-12][0])
    below = ps[best + 1] if best + 1 < len(ps) else max(0.0, ps[best] - 0.1)
    return float(np.clip((ps[best] + below) / 2.0, 0.02, 0.98))


def _cv_score_runs(X: Any, y: np.ndarray, groups: Sequence[str], config: TrainConfig,
                   fit_on: np.ndarray | None = None) -> list[np.ndarray]:
    """Out-of-fold decision scores for every item, one array per CV repetition.

    Folds are grouped by event: items about one event never sit on both sides, so the scores
    (and the calibration and thresholds chosen on them) reflect unseen events. ``fit_on`` (a
    boolean mask) restricts which training-fold items each fold's model is fitted on; every
    item of the held-back fold is still scored.
    """
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    folds = min(config.cv_folds, pos, neg)
    if folds < 2:
        return []
    grouped = len(set(groups)) >= folds and len({g for g, t in zip(groups, y) if t}) >= folds
    runs = []
    for rep in range(max(1, config.cv_repeats)):
        seed = config.seed + rep
        if grouped:
            splits = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y, groups)
        else:
            splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y)
        scores = np.zeros(len(y))
        for tr, te in splits:
            if fit_on is not None:
                tr = tr[fit_on[tr]]
            if y[tr].min() == y[tr].max():
                return []  # a fold's fitting set holds one class only: nothing to learn from
            scores[te] = _estimator(config).fit(X[tr], y[tr]).decision_function(X[te])
        runs.append(scores)
    return runs


def _calibrate(score_runs: list[np.ndarray], y: np.ndarray, *, red_line: bool,
               recall_cap: float | None) -> tuple[tuple[float, float], float, np.ndarray]:
    """Platt parameters, decision threshold and pooled probabilities from CV score runs."""
    pooled_scores = np.concatenate(score_runs)
    pooled_y = np.tile(y, len(score_runs))
    a, c = _platt(pooled_scores, pooled_y)
    pooled_p = platt_probability(a, c, pooled_scores)
    return (a, c), choose_threshold(pooled_p, pooled_y, red_line=red_line, recall_cap=recall_cap), pooled_p


def _second_stage(X: Any, y: np.ndarray, groups: Sequence[str], config: TrainConfig, stage1_oof: np.ndarray,
                  calib1: np.ndarray, threshold1: float, stage1: tuple[np.ndarray, float]
                  ) -> tuple[np.ndarray, float, tuple[float, float], float, np.ndarray, int] | None:
    """Refit one red line on its hard cases; returns the folded linear model, or None to keep stage 1.

    A single linear model over n-grams weighs "blaze" and "apartment" on their own, so a home fire
    scores like a factory fire. The second model is fitted only on the candidates — texts whose
    cross-validated first-stage probability reaches a gate that keeps at least 99 % of the positives
    — with the first-stage score as an extra feature, so its weights learn the context that
    separates real positives from look-alikes. Because that feature is itself linear in the n-grams,
    the two stages fold into one weight vector: classification costs nothing extra and evidence
    reads the weights that decided. Calibration and threshold come from grouped CV in which each
    fold's second model scores every held-back item, candidate or not.
    """
    alpha = float(config.second_stage_alpha or 0.0)
    p1 = platt_probability(float(calib1[0]), float(calib1[1]), stage1_oof)
    gate = min(threshold1, float(np.quantile(p1[y == 1], config.second_stage_gate_quantile)))
    candidates = p1 >= gate
    if y[candidates].min() == y[candidates].max():
        return None
    Xa = sp.hstack([X, sp.csr_matrix(alpha * stage1_oof[:, None])], format="csr")
    runs = _cv_score_runs(Xa, y, groups, config, fit_on=candidates)
    if not runs:
        return None
    calib, threshold, pooled_p = _calibrate(runs, y, red_line=True, recall_cap=config.red_line_recall_cap)
    est = _estimator(config).fit(Xa[candidates], y[candidates])
    coef, intercept = fold_stages(stage1, est.coef_.ravel(), float(est.intercept_[0]), alpha)
    return coef, intercept, calib, threshold, pooled_p, int(candidates.sum())


def fold_stages(stage1: tuple[np.ndarray, float], coef2: np.ndarray, intercept2: float,
                alpha: float) -> tuple[np.ndarray, float]:
    """One linear model equal to a second stage over ``[x, alpha * score1(x)]``.

    ``coef2`` has one weight per n-gram plus a last one for the scaled first-stage score
    ``score1(x) = x·coef1 + intercept1``.
    """
    coef1, intercept1 = stage1
    w = float(coef2[-1]) * alpha
    return (coef2[:-1] + w * coef1).astype(np.float32), intercept2 + w * intercept1


def label_matrix(examples: Sequence[Example], labels: Sequence[str] = LABELS) -> np.ndarray:
    """(n_examples, n_labels) 0/1 matrix."""
    Y = np.zeros((len(examples), len(labels)), dtype=np.int8)
    index = {lab: j for j, lab in enumerate(labels)}
    for i, e in enumerate(examples):
        for lab in e.labels:
            if lab in index:
                Y[i, index[lab]] = 1
    return Y


def fit(examples: Sequence[Example], config: TrainConfig | None = None, *, version: str = "unversioned",
        negative_labels: Sequence[Sequence[str]] | None = None) -> tuple[RedLineClassifier, CVReport]:
    """Train on ``examples``; calibration and thresholds come from k-fold CV predictions.

    ``negative_labels`` (parallel to ``examples``) marks labels an analyst rejected; they are
    ordinary negatives for those labels (already implied by their absence from ``labels``).
    """
    del negative_labels  # absence from labels already makes them negatives; kept for clarity of API
    config = config or TrainConfig()
    if not examples:
        raise ValueError("no training examples")
    folded = [training_text(e.text) for e in examples]
    groups = [(e.event or e.source_url or e.id or str(i)).strip().lower() for i, e in enumerate(examples)]
    Y = label_matrix(examples)
    vecs, mats = [], []
    for name, vec in build_vectorizers(config, len(examples)):
        try:
            mats.append(vec.fit_transform(folded))
        except ValueError:
            continue  # e.g. no Latin words at all in a Chinese-only corpus: drop that family
        vecs.append((name, vec))
    if not vecs:
        raise ValueError("no features could be extracted from the training texts")
    X = sp.hstack(mats, format="csr") if len(mats) > 1 else mats[0].tocsr()
    n_labels = len(LABELS)
    coef = np.zeros((n_labels, X.shape[1]), dtype=np.float32)
    intercept = np.zeros(n_labels)
    calib = np.tile([1.0, 0.0], (n_labels, 1))
    thresholds = np.full(n_labels, 0.5)
    P_cv = np.zeros((len(examples), n_labels))
    second_stage: dict[str, dict[str, int]] = {}
    for j, label in enumerate(LABELS):
        y = Y[:, j]
        if y.sum() == 0:
            intercept[j] = -10.0  # never seen: never predicted
            continue
        score_runs = _cv_score_runs(X, y, groups, config)
        est = _estimator(config).fit(X, y)
        coef[j] = est.coef_.ravel()
        intercept[j] = float(est.intercept_[0])
        if not score_runs:
            continue
        calib[j], thresholds[j], pooled_p = _calibrate(score_runs, y, red_line=label in RED_LINES,
                                                       recall_cap=config.red_line_recall_cap)
        if label in RED_LINES and config.second_stage_alpha is not None:
            stage1_oof = np.mean(score_runs, axis=0)
            second = _second_stage(X, y, groups, config, stage1_oof, calib[j], thresholds[j],
                                   (coef[j], intercept[j]))
            if second is not None:
                coef[j], intercept[j], calib[j], thresholds[j], pooled_p, n_cand = second
                second_stage[label] = {"candidates": n_cand, "positives": int(y.sum())}
        P_cv[:, j] = pooled_p[: len(y)]  # the first repetition, for the CV report
    spaces = [(name, FeatureSpace.from_vectorizer(vec)) for name, vec in vecs]
    clf = RedLineClassifier(labels=LABELS, vectorizers=spaces, coef=coef, intercept=intercept, calib=calib,
                            thresholds=thresholds, version=version, config=config.to_dict(),
                            char_map=_char_map())
    from models.evaluate import metrics_from_matrices

    report = CVReport(probabilities=P_cv, thresholds=thresholds,
                      metrics=metrics_from_matrices(Y, (P_cv >= thresholds).astype(np.int8)),
                      second_stage=second_stage)
    return clf, report


def compare_configs(examples: Sequence[Example], configs: dict[str, TrainConfig]) -> dict[str, dict[str, Any]]:
    """Cross-validated (train-only) metrics for each candidate configuration."""
    out = {}
    for name, cfg in configs.items():
        _clf, rep = fit(examples, cfg)
        out[name] = {"macro_f1": rep.metrics["macro_f1"],
                     "recall": {lab: rep.metrics["per_label"][lab]["recall"] for lab in RED_LINES},
                     "precision": {lab: rep.metrics["per_label"][lab]["precision"] for lab in RED_LINES}}
    return out


def make_version(examples: Sequence[Example], config: TrainConfig, now: datetime | None = None) -> str:
    """``redline-YYYYMMDD-<hash>``: the hash covers the training texts, labels and config."""
    now = now or datetime.now(timezone.utc)
    h = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode())
    for e in examples:
        h.update(e.text.encode("utf-8"))
        h.update(("|" + ",".join(e.labels) + "\n").encode())
    return f"redline-{now:%Y%m%d}-{h.hexdigest()[:8]}"


def train_and_save(examples: Sequence[Example], out_dir: Path, *, config: TrainConfig | None = None,
                   extra: Sequence[Example] = (), make_current: bool = True,
                   now: datetime | None = None) -> tuple[RedLineClassifier, dict[str, Any], Path]:
    """Train on the train split of ``examples`` (+ ``extra`` feedback examples), evaluate on the
    held-out split, write artifact + model card to ``out_dir``. Returns (classifier, card, path)."""
    config = config or TrainConfig()
    train = split(examples, "train") + list(extra)
    heldout = split(examples, "heldout")
    version = make_version(train, config, now)
    clf, report = fit(train, config, version=version)
    card = {
        "version": version,
        "created_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "labels": list(LABELS),
        "red_lines": list(RED_LINES),
        "config": config.to_dict(),
        "features": clf.n_features,
        "thresholds": {lab: round(float(t), 4) for lab, t in zip(LABELS, clf.thresholds)},
        "data": {"corpus": stats(examples), "feedback_examples": len(extra), "train_items": len(train)},
        "cv_train_metrics": report.metrics,
        "second_stage": report.second_stage,
        **measured_figures(clf, heldout),
        "threshold_policy": (f"red lines: highest threshold reaching the best recall at precision >= "
                             f"{RED_LINE_MIN_PRECISION} (at most {config.red_line_recall_cap}) on "
                             f"{config.cv_folds}-fold CV over train; others: best F1"),
    }
    path = save_artifact(clf, Path(out_dir), card, make_current=make_current)
    return clf, card, path


def measured_figures(clf: RedLineClassifier, heldout: Sequence[Example]) -> dict[str, Any]:
    """The model card's measured part: held-out metrics, every ``eval.*.jsonl`` set, behaviour checks."""
    from models.evaluate import evaluate

    return {
        "heldout_metrics": evaluate(clf, heldout) if heldout else None,
        "evaluation_sets": {path.name: evaluate(clf, load_jsonl(path, corpus=False))
                            for path in sorted(EVAL_SETS_DIR.glob("eval.*.jsonl"))},
        "behaviour_failures": behaviour_failures(clf),
    }


def refresh_card(artifact: Path, examples: Sequence[Example], *, note: str,
                 now: datetime | None = None) -> dict[str, Any]:
    """Re-measure an existing artifact's card (held-out split of ``examples``, evaluation sets,
    behaviour checks) without retraining, e.g. after a label audit or a new evaluation set.

    Weights, thresholds, training data counts and CV figures stay as trained; the card records
    when and why it was re-measured (``remeasured_at``, ``evaluation_note``).
    """
    from models.redline import load_card, load_classifier, write_card

    if not note.strip():
        raise ValueError("say why the card is re-measured (note)")
    card = load_card(artifact)
    card.update(measured_figures(load_classifier(artifact), split(examples, "heldout")))
    card["remeasured_at"] = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    card["evaluation_note"] = note.strip()
    write_card(artifact, card)
    return card
