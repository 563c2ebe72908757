"""Training internals: the optional red-line second stage and how it folds into one linear model."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from models.corpus import Example
from models.train import TrainConfig, choose_threshold, fit, fold_stages

WORKPLACE_FIRES = ["blaze at garment factory kills workers", "warehouse fire injures staff on night shift",
                   "explosion and fire at chemical plant, workers hurt", "fire guts shoe factory, staff flee",
                   "workers die in spinning mill fire", "depot blaze forces workers out",
                   "fire sweeps electronics plant floor", "boiler blast sets paper mill ablaze",
                   "workers trapped as fire engulfs toy factory", "blaze destroys textile plant warehouse"]
HOME_FIRES = ["blaze at apartment block kills residents", "house fire injures family of four",
              "fire guts flat on tenth floor, residents flee", "residents die in high-rise apartment fire",
              "kitchen blaze forces neighbours out of building", "fire sweeps family home overnight",
              "candle sets bedroom ablaze, tenant hurt", "residents trapped as fire engulfs apartment",
              "blaze destroys bungalow and garage", "space heater sparks deadly house fire"]
OTHER = ["quarterly revenue rises", "new store opens downtown", "shares climb after results",
         "company appoints finance chief", "merger talks continue", "product launch next month",
         "dividend raised again", "profit beats forecast", "sales grow in asia", "chief executive retires"]


def _examples() -> list[Example]:
    rows = [(t, ["fire"]) for t in WORKPLACE_FIRES] + [(t, []) for t in HOME_FIRES + OTHER]
    return [Example(text=t, lang="en", labels=labels, id=f"t-{i}", event=f"event {i}")
            for i, (t, labels) in enumerate(rows)]


TINY = TrainConfig(cv_folds=3, cv_repeats=2, char=None, char_wb=(3, 4), word=(1, 1), min_df=1)


def test_fold_stages_equals_second_stage_over_augmented_features():
    rng = np.random.default_rng(0)
    X = sp.random(60, 30, density=0.2, format="csr", random_state=1)
    coef1, intercept1 = rng.normal(size=30).astype(np.float32), 0.3
    score1 = X @ coef1 + intercept1
    y = (rng.random(60) < 0.5).astype(int)
    alpha = 2.0
    augmented = sp.hstack([X, sp.csr_matrix(alpha * score1[:, None])], format="csr")
    second = LinearSVC(C=1.0, max_iter=5000).fit(augmented, y)

    coef, intercept = fold_stages((coef1, intercept1), second.coef_.ravel(), float(second.intercept_[0]), alpha)

    np.testing.assert_allclose(X @ coef + intercept, second.decision_function(augmented), rtol=1e-4, atol=1e-4)


def test_second_stage_is_off_by_default():
    _clf, report = fit(_examples(), TINY)
    assert report.second_stage == {}


def test_second_stage_is_fitted_on_fire_candidates_only():
    _clf, report = fit(_examples(), TrainConfig(**{**TINY.to_dict(), "second_stage_alpha": 1.0}))
    fire = report.second_stage["fire"]
    assert fire["positives"] == len(WORKPLACE_FIRES)
    # Candidates include the positives but not the unrelated business news.
    assert len(WORKPLACE_FIRES) <= fire["candidates"] < len(_examples())


@pytest.mark.parametrize("alpha", [None, 1.0])
def test_model_still_flags_a_workplace_fire(alpha):
    clf, _report = fit(_examples(), TrainConfig(**{**TINY.to_dict(), "second_stage_alpha": alpha}))
    assert "fire" in clf.classify("fire engulfs garment factory, workers hurt").positive


def test_training_twice_gives_the_same_model():
    first, _ = fit(_examples(), TINY)
    second, _ = fit(_examples(), TINY)
    np.testing.assert_array_equal(first.coef, second.coef)
    np.testing.assert_array_equal(first.thresholds, second.thresholds)


# --- red-line thresholds -----------------------------------------------------------------------

#: Cross-validated probabilities of 20 positives and 20 negatives: every positive outranks every
#: negative except the lowest positive, which only a cut below three negatives reaches.
_P = np.array([0.9 - 0.02 * i for i in range(19)] + [0.05] + [0.3, 0.2, 0.1] + [0.01] * 17)
_Y = np.array([1] * 20 + [0] * 20)


def test_red_line_threshold_reaches_the_best_recall_at_the_precision_floor():
    threshold = choose_threshold(_P, _Y, red_line=True)
    assert (_P[_Y == 1] >= threshold).all()  # recall 1.0 at precision 20/23 = 0.87


def test_red_line_recall_cap_stops_paying_alerts_for_the_last_positive():
    threshold = choose_threshold(_P, _Y, red_line=True, recall_cap=0.95)
    assert (_P[_Y == 0] >= threshold).sum() == 0  # recall 0.95 without the three negatives
    assert (_P[_Y == 1] >= threshold).sum() == 19


def test_recall_cap_is_on_by_default():
    assert TrainConfig().red_line_recall_cap == 0.97
