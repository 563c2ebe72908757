"""Corpus files: format, malformed lines with line numbers, split leakage, held-out composition."""

from __future__ import annotations

import pytest

from models.corpus import (CORPUS_FILES, DATA_DIR, HELDOUT_MIN_ITEMS, CorpusError, event_key, load_corpus,
                           load_jsonl, read_jsonl, split, url_key, validate)
from riskradar.domain.base import RED_LINES


def _row(i: int, split_name: str = "train", event: str | None = None, **kw) -> dict:
    row = {"id": f"t-{i}", "text": f"text number {i}", "lang": "en", "labels": [],
           "source_url": f"https://example.org/{event or i}", "event": event or f"event {i}", "split": split_name}
    row.update(kw)
    return row


def test_english_corpus_is_valid_and_meets_english_targets():
    examples, problems = read_jsonl(DATA_DIR / "corpus.en.jsonl")
    assert problems == []
    assert len(examples) >= 400
    train, held = split(examples, "train"), split(examples, "heldout")
    for label in RED_LINES:
        assert sum(label in e.labels for e in train) >= 40, label
        assert sum(label in e.labels for e in held) >= 20, label
    assert all(e.lang == "en" and e.source_url.startswith("http") for e in examples)


def test_english_corpus_has_no_event_in_both_splits():
    examples = load_corpus([DATA_DIR / "corpus.en.jsonl"])
    assert validate(examples, check_heldout_targets=False).errors == []


def test_english_corpus_has_hard_negatives():
    examples = load_corpus([DATA_DIR / "corpus.en.jsonl"])
    negatives = [e.text.lower() for e in examples if not e.labels]
    for word in ("fire", "ceasefire", "fire sale", "under fire", "wildfire", "recall", "anti-bribery"):
        assert any(word in t for t in negatives), word


def test_combined_heldout_meets_issue_targets():
    files = [DATA_DIR / name for name in CORPUS_FILES]
    if not all(f.is_file() for f in files):
        pytest.skip("the Chinese corpus is not present")
    held = split(load_corpus(files, strict=False), "heldout")
    assert len(held) >= HELDOUT_MIN_ITEMS
    assert sum(e.lang == "zh" for e in held) / len(held) >= 0.40
    for label in RED_LINES:
        assert sum(label in e.labels for e in held) >= 40, label


def test_malformed_lines_are_reported_with_line_numbers_and_valid_lines_kept(write_jsonl):
    path = write_jsonl("c.jsonl", [
        _row(1),
        "{not json",
        _row(3, labels=["arson"]),
        {"id": "t-4", "text": "no split", "lang": "en", "labels": []},
        "",
        _row(6, split_name="test"),
        _row(7, source_url="ftp://x"),
        _row(8),
    ])
    examples, problems = read_jsonl(path)
    assert [e.id for e in examples] == ["t-1", "t-8"]
    assert [p.line for p in problems] == [2, 3, 4, 6, 7]
    assert "invalid JSON" in problems[0].message
    assert "unknown label" in problems[1].message
    assert "missing field" in problems[2].message and "split" in problems[2].message
    with pytest.raises(CorpusError, match=r"c\.jsonl:2"):
        load_jsonl(path)


def test_evaluation_files_need_only_text_lang_labels(write_jsonl):
    path = write_jsonl("e.jsonl", [{"text": "a", "lang": "en", "labels": ["fire"]}, {"text": "b", "lang": "zh"}])
    examples, problems = read_jsonl(path, corpus=False)
    assert len(examples) == 1 and problems[0].line == 2


def test_validation_catches_event_leakage_and_duplicate_ids(write_jsonl):
    path = write_jsonl("c.jsonl", [_row(1, event="same fire"), _row(2, "heldout", event="same fire"),
                                   _row(3), {**_row(4), "id": "t-3"}])
    result = validate(load_corpus([path]), check_heldout_targets=False)
    assert any("both train and heldout" in e for e in result.errors)
    assert any("duplicate id" in e for e in result.errors)


def test_validation_warns_about_small_heldout(write_jsonl):
    path = write_jsonl("c.jsonl", [_row(i, "heldout") for i in range(5)])
    warnings = validate(load_corpus([path])).warnings
    assert any("heldout has 5 items" in w for w in warnings)
    assert any("Chinese" in w for w in warnings)


def test_no_evaluation_set_shares_an_event_or_source_with_the_corpus():
    """Evaluation-only sets (eval.*, fresh.*, dev.*) must stay independent of everything trained on."""
    corpus = load_corpus()
    events = {event_key(e) for e in corpus if e.event}
    urls = {url_key(e) for e in corpus if e.source_url}
    shared = []
    for path in sorted(DATA_DIR.glob("*.jsonl")):
        if path.name.startswith("corpus."):
            continue
        for e in load_jsonl(path, corpus=False):
            if (e.event and event_key(e) in events) or (e.source_url and url_key(e) in urls):
                shared.append(f"{path.name}: {e.id}")
    assert shared == []
