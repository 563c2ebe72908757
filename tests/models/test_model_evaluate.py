"""Metrics by hand, and `riskradar model evaluate --json` on a small file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from models.evaluate import score
from riskradar.cli import main


def test_score_matches_hand_computation():
    truth = [["fire"], ["fire"], ["bribery"], [], ["fire", "health_safety"]]
    pred = [["fire"], [], ["bribery", "fire"], ["bribery"], ["fire"]]
    langs = ["en", "zh", "en", "zh", "en"]
    out = score(truth, pred, langs)
    # fire: TP=2 (rows 0, 4), FP=1 (row 2), FN=1 (row 1) -> P=R=F1=2/3
    assert out["per_label"]["fire"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667,
                                        "support": 3, "predicted": 3}
    # bribery: TP=1, FP=1 -> P=0.5, R=1, F1=2/3
    assert out["per_label"]["bribery"]["precision"] == 0.5
    assert out["per_label"]["bribery"]["recall"] == 1.0
    # child_labour / forced_labour never occur: left out of the macro average
    assert out["macro_f1"] == pytest.approx(0.6667, abs=1e-4)
    # health_safety: support 1, never predicted
    assert out["per_label"]["health_safety"]["recall"] == 0.0
    # zh: fire FN (row 1), bribery FP (row 3) -> fire F1 0, bribery F1 0
    assert out["per_lang"]["zh"]["n"] == 2
    assert out["per_lang"]["zh"]["macro_f1"] == 0.0
    # en: fire TP=2 FP=1 -> P=2/3 R=1 F1=0.8; bribery TP=1 -> F1=1 ; macro 0.9
    assert out["per_lang"]["en"]["per_label"]["fire"]["f1"] == 0.8
    assert out["per_lang"]["en"]["macro_f1"] == 0.9


def test_macro_f1_is_none_when_no_red_line_occurs():
    assert score([["environment"]], [["environment"]], ["en"])["macro_f1"] is None


def test_evaluate_json_on_small_file(write_jsonl, bundled):
    rows = [
        {"text": "Fire at garment factory kills 40 workers trapped behind locked exits.", "lang": "en",
         "labels": ["fire"]},
        {"text": "服装厂发生火灾，造成多名工人死亡。", "lang": "zh", "labels": ["fire"]},
        {"text": "Supplier found employing 14-year-old children on its assembly line.", "lang": "en",
         "labels": ["child_labour"]},
        {"text": "Apple reports record quarterly revenue on strong iPhone sales.", "lang": "en",
         "labels": ["fire"]},  # deliberately wrong truth: a false negative for fire
        {"text": "以色列与哈马斯达成停火协议，周日起生效。", "lang": "zh", "labels": []},
    ]
    path = write_jsonl("small.jsonl", rows)
    res = CliRunner().invoke(main, ["model", "evaluate", "--data", str(path), "--json",
                                    "--model", "models/artifacts"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) >= {"macro_f1", "per_label", "per_lang"}
    assert set(out["per_lang"]) == {"en", "zh"}
    for block in [out, *out["per_lang"].values()]:
        for metrics in block["per_label"].values():
            assert set(metrics) >= {"precision", "recall", "f1", "support"}
    # Expected numbers recomputed here from the model's own predictions and the truth above.
    preds = [set(c.positive) for c in bundled.classify_many([r["text"] for r in rows])]
    assert "fire" in preds[0] and "fire" in preds[1] and "child_labour" in preds[2]
    assert "fire" not in preds[3] and not (preds[4] & {"fire", "child_labour", "forced_labour", "bribery"})
    fire = out["per_label"]["fire"]
    assert (fire["support"], fire["precision"], fire["recall"], fire["f1"]) == (3, 1.0, 0.6667, 0.8)
    assert out["per_label"]["child_labour"]["f1"] == 1.0
    assert out["macro_f1"] == pytest.approx((0.8 + 1.0) / 2, abs=1e-4)
    zh = out["per_lang"]["zh"]
    assert zh["per_label"]["fire"]["recall"] == 1.0 and zh["macro_f1"] == 1.0


def test_evaluate_reports_malformed_line_number(write_jsonl):
    path = write_jsonl("bad.jsonl", [{"text": "ok", "lang": "en", "labels": []}, "{oops", {"text": 1}])
    res = CliRunner().invoke(main, ["model", "evaluate", "--data", str(path), "--json",
                                    "--model", "models/artifacts"])
    assert res.exit_code != 0
    assert "bad.jsonl:2" in res.output and "bad.jsonl:3" in res.output


def test_classify_command_prints_labels_and_evidence():
    res = CliRunner().invoke(main, ["classify", "--json", "--model", "models/artifacts",
                                    "Explosion at chemical plant warehouse kills five workers"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert "fire" in out["positive"]
    assert out["labels"]["fire"]["evidence"]


def test_classify_command_says_why_a_likely_red_line_is_not_decided():
    res = CliRunner().invoke(main, ["classify", "--model", "models/artifacts",
                                    "Los trabajadores de la fábrica textil protestan frente a la planta"])
    assert res.exit_code == 0, res.output
    assert "not decided: " in res.output and "fire" in res.output.split("not decided: ")[1]


def test_classify_command_says_a_fire_naming_no_workplace_is_not_decided():
    res = CliRunner().invoke(main, ["classify", "--model", "models/artifacts",
                                    "Fire crews battle huge blaze as flames tear through homes; residents evacuated."])
    assert res.exit_code == 0, res.output
    assert "not decided: fire (the text names no workplace" in res.output


def test_model_card_command():
    res = CliRunner().invoke(main, ["model", "card", "--json", "--model", "models/artifacts"])
    assert res.exit_code == 0, res.output
    card = json.loads(res.output)
    assert card["version"].startswith("redline-")
    assert set(card["thresholds"]) >= {"fire", "bribery", "child_labour", "forced_labour"}
    assert card["heldout_metrics"]["macro_f1"] is not None
