"""The vectorised character n-gram counter gives exactly scikit-learn's counts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from models.char_grams import CharGramCounter

DOCS = [
    "fire at garment factory kills 40 workers trapped behind locked exits.",
    "服装厂发生火灾，造成多名工人死亡 fire-exits 锁闭",
    "",
    "   ",
    "a",
    "  a\t\tb  c\n",
    "emoji 🔥 and a lone surrogate \ud83d in text",
    "nul\x00inside and \x01 control",
    "ab",
]


def _pairs(rows: np.ndarray, cols: np.ndarray) -> list[tuple[int, int]]:
    return sorted(zip(rows.tolist(), cols.tolist()))


def _sklearn_pairs(vec: CountVectorizer, docs: list[str]) -> list[tuple[int, int]]:
    counts = vec.transform(docs).tocoo()
    return sorted((r, c) for r, c, n in zip(counts.row.tolist(), counts.col.tolist(), counts.data.tolist())
                  for _ in range(n))


@pytest.mark.parametrize("analyzer,ngram_range", [
    ("char", (1, 4)), ("char", (2, 3)), ("char_wb", (1, 4)), ("char_wb", (2, 5)), ("char_wb", (3, 3)),
])
def test_counts_equal_scikit_learn(analyzer, ngram_range):
    # Fit on part of the texts so the others hold n-grams and characters outside the vocabulary.
    vec = CountVectorizer(analyzer=analyzer, ngram_range=ngram_range, lowercase=False).fit(DOCS[:2] + DOCS[5:6])
    assert CharGramCounter.supports(analyzer, ngram_range, vec.vocabulary_)
    counter = CharGramCounter(analyzer, ngram_range, vec.vocabulary_)
    assert _pairs(*counter.count(DOCS)) == _sklearn_pairs(vec, DOCS)


def test_rows_follow_the_texts_even_when_a_text_holds_a_nul():
    vocab = {"ab": 0, "b": 1}
    rows, cols = CharGramCounter("char", (1, 2), vocab).count(["a\x00b", "ab"])
    assert _pairs(rows, cols) == [(0, 1), (1, 0), (1, 1)]


def test_empty_batch_counts_nothing():
    rows, cols = CharGramCounter("char", (1, 2), {"a": 0}).count([""])
    assert rows.size == 0 and cols.size == 0


@pytest.mark.parametrize("analyzer,ngram_range,vocab", [
    ("word", (1, 2), {"fire": 0}),  # words are cut by the token pattern, not here
    ("char_wb", (4, 5), {" ab ": 0}),  # scikit-learn's short-word rule differs once lo > 3
    ("char", (1, 9), {"a": 0}),  # keys would not fit 64 bits
    ("char", (1, 2), {"\x00a": 0}),  # a separator inside the vocabulary
])
def test_unsupported_settings_are_refused(analyzer, ngram_range, vocab):
    assert not CharGramCounter.supports(analyzer, ngram_range, vocab)
