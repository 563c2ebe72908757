"""The red-line classifier: text folding, features, calibrated per-label linear models, evidence.

One model per label (one-vs-rest) over a union of TF-IDF feature spaces computed on *folded*
text (NFKC, Traditional→Simplified Chinese, lower case). Folding is done character by
character so every folded character maps back to an offset in the original text; evidence
spans (the n-grams that pushed a label up the most) are reported in original-text offsets for
the UI to highlight.

Public entry points: :func:`load_classifier`, :func:`default_classifier`,
:class:`RedLineClassifier` (``classify``, ``classify_many``, ``version``).
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence

import numpy as np
import scipy.sparse as sp

from models.char_grams import WS_RUN, CharGramCounter
from models.workplace import names_workplace

# The label vocabulary of riskradar.domain.base, repeated here so that loading a model does not
# import SQLAlchemy and the domain models (~0.6 s); tests/models check the two stay identical.
RED_LINES: tuple[str, ...] = ("child_labour", "forced_labour", "bribery", "fire")
SECONDARY: tuple[str, ...] = ("wages_hours", "health_safety", "environment", "discrimination")
LABELS: tuple[str, ...] = RED_LINES + SECONDARY
#: Longest text classified, in characters; longer input is cut here and flagged ``truncated``.
#: Headline + summary or an audit finding is far shorter; the cap bounds time and memory.
MAX_CHARS = 20_000
#: Where the bundled (committed) artifact lives.
BUNDLED_DIR = Path(__file__).resolve().parent / "artifacts"
POINTER_NAME = "current"
ARTIFACT_SUFFIX = ".joblib"
CARD_SUFFIX = ".card.json"
#: 2: vocabularies as numpy string arrays, the char map as two strings (fifth session); format 1
#: artifacts still load, while older code refuses a format-2 artifact with a clear error.
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD_CHAR = re.compile(r"[0-9a-z\u00c0-\u024f']")


# --- text folding ------------------------------------------------------------------------------


_WS_TABLE = {c: " " for c in (9, 10, 11, 12, 13, 28, 29, 30, 31)}
#: Traditional -> Simplified map for single characters; the trained artifact carries its own copy
#: (built with zhconv at training time) so run time needs neither zhconv nor its slow import.
_char_map: dict[str, str] | None = None


def build_char_map() -> dict[str, str]:
    """Every CJK character whose zhconv Simplified form is a different single character."""
    import zhconv

    out = {}
    for block in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
        for cp in range(block[0], block[1] + 1):
            ch = chr(cp)
            simp = zhconv.convert(ch, "zh-hans")
            if simp != ch and len(simp) == 1:
                out[ch] = simp
    return out


def set_char_map(mapping: dict[str, str] | None) -> None:
    """Install the Traditional->Simplified map used by :func:`fold` (done when an artifact loads)."""
    global _char_map
    _char_map = mapping
    _fold_char.cache_clear()


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """NFKC, Traditional→Simplified, lower case, whitespace→space — for one character (cached)."""
    out = unicodedata.normalize("NFKC", ch)
    if _CJK.search(out):
        if _char_map is not None:
            out = "".join(_char_map.get(c, c) for c in out)
        else:  # no artifact loaded yet (training): ask zhconv directly
            import zhconv

            out = zhconv.convert(out, "zh-hans")
    out = out.lower()
    return " " if out.isspace() else out


def fold(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` and return ``(folded, origin)``.

    ``origin[i]`` is the index in ``text`` of the character that produced ``folded[i]`` (NFKC may
    expand one character into several); ``origin`` is None when the mapping is the identity
    (every character folded to exactly one character, the usual case).
    """
    if text.isascii():
        return text.translate(_WS_TABLE).lower(), None
    parts = [_fold_char(ch) for ch in text]
    folded = "".join(parts)
    if len(folded) == len(text) and all(len(p) == 1 for p in parts):
        return folded, None
    origin: list[int] = []
    for i, p in enumerate(parts):
        origin.extend([i] * len(p))
    return folded, origin


def _ngrams(kind: str, lo: int, hi: int, token_re: Any, doc: str) -> list[str]:
    """The n-grams scikit-learn's analyzer ``kind`` yields for ``doc`` (same order and multiset)."""
    if kind == "word":
        tokens = token_re.findall(doc)
        out = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
            out.extend([" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)])
        return out
    doc = WS_RUN.sub(" ", doc)
    if kind == "char":
        out = list(doc) if lo == 1 else []
        for n in range(max(lo, 2), min(hi, len(doc)) + 1):
            out.extend([doc[i:i + n] for i in range(len(doc) - n + 1)])
        return out
    out = []  # char_wb: n-grams inside space-padded words; a short word counts once
    for w in doc.split():
        w = f" {w} "
        size = len(w)
        for n in range(lo, hi + 1):
            if size <= n:
                out.append(w)
                break
            out.extend([w[i:i + n] for i in range(size - n + 1)])
    return out


@dataclass
class FeatureSpace:
    """A fitted TF-IDF feature family as plain data (no scikit-learn object in the artifact, so
    loading a model needs neither scikit-learn's import time nor its exact version)."""

    analyzer: str  # "char_wb" | "char" | "word"
    ngram_range: tuple[int, int]
    vocabulary_: dict[str, int]
    idf_: np.ndarray
    token_pattern: str | None = None
    sublinear_tf: bool = True
    norm: str | None = "l2"
    dtype: Any = np.float32

    @classmethod
    def from_vectorizer(cls, vec: Any) -> "FeatureSpace":
        return cls(analyzer=vec.analyzer, ngram_range=tuple(vec.ngram_range),
                   vocabulary_={str(k): int(v) for k, v in vec.vocabulary_.items()},
                   idf_=np.asarray(vec.idf_, dtype=np.float64),
                   token_pattern=vec.token_pattern if vec.analyzer == "word" else None,
                   sublinear_tf=bool(vec.sublinear_tf), norm=vec.norm, dtype=np.dtype(vec.dtype).type)

    def get_feature_names_out(self) -> np.ndarray:
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, col in self.vocabulary_.items():
            names[col] = term
        return names

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        return fast_tfidf(self, docs)

    def gram_counter(self) -> CharGramCounter | None:
        """The vectorised n-gram counter for a character family (built once, never pickled)."""
        if "_gram_counter" not in self.__dict__:
            ok = CharGramCounter.supports(self.analyzer, self.ngram_range, self.vocabulary_)
            self.__dict__["_gram_counter"] = (
                CharGramCounter(self.analyzer, self.ngram_range, self.vocabulary_) if ok else None)
        return self.__dict__["_gram_counter"]

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k != "_gram_counter"}
        # The vocabulary as one numpy string array (by column): joblib unpickles tens of thousands
        # of dict entries one by one in Python, an array in one read. Fixed-width numpy strings
        # drop trailing NULs, so a vocabulary with NULs stays a dict.
        terms = self.get_feature_names_out().tolist()
        if not any("\x00" in t for t in terms):
            state["vocabulary_"] = np.array(terms, dtype=str)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vocab = state["vocabulary_"]
        if isinstance(vocab, np.ndarray):
            state = {**state, "vocabulary_": dict(zip(vocab.tolist(), range(len(vocab))))}
        self.__dict__.update(state)


def platt_probability(a: Any, c: Any, scores: np.ndarray) -> np.ndarray:
    """Calibrated probability ``sigmoid(a * score + c)`` (Platt scaling; ``a``, ``c`` per label or scalar)."""
    return 1.0 / (1.0 + np.exp(-(a * scores + c)))


def fast_tfidf(vec: Any, docs: Sequence[str]) -> sp.csr_matrix:
    """``vec.transform(docs)`` for a fitted TfidfVectorizer (or :class:`FeatureSpace`), computed
    without scikit-learn's per-feature Python loop. Equality with scikit-learn is tested."""
    counter = vec.gram_counter() if isinstance(vec, FeatureSpace) else None
    if counter is not None:
        rows, cols = counter.count(docs)
    else:
        rows, cols = _count_grams(vec, docs)
    n_features = len(vec.vocabulary_)
    X = sp.csr_matrix((np.ones(len(cols), dtype=np.float64), (rows, cols)), shape=(len(docs), n_features))
    X.sum_duplicates()
    if vec.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= vec.idf_[X.indices]
    if vec.norm == "l2":
        sq = np.bincount(np.repeat(np.arange(X.shape[0]), np.diff(X.indptr)), weights=X.data ** 2,
                         minlength=X.shape[0])
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        X.data /= np.repeat(norms, np.diff(X.indptr))
    return X.astype(vec.dtype)


def _count_grams(vec: Any, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, cols)`` of every vocabulary n-gram occurrence, by cutting strings in Python."""
    vocab_get = vec.vocabulary_.get
    kind = vec.analyzer
    lo, hi = vec.ngram_range
    token_re = re.compile(vec.token_pattern) if kind == "word" else None
    rows: list[int] = []
    cols: list[int] = []
    for r, doc in enumerate(docs):
        found = [c for c in map(vocab_get, _ngrams(kind, lo, hi, token_re, doc)) if c is not None]
        cols.extend(found)
        rows.extend([r] * len(found))
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def fold_text(text: str) -> str:
    """Only the folded text."""
    return fold(text)[0]


def model_input(folded: str) -> tuple[str, list[tuple[int, int]]]:
    """What the features are computed on, and per gloss character the span of ``folded`` it glosses.

    The model was trained on zh and en only (``models.glossary``): zh/en text is read as it is
    (with the glosses of any other-language terms appended); text in another language is read as
    its English glosses alone, since its own n-grams mean nothing to the model.
    """
    model_text, spans, _gate, _readings = _read(folded)
    return model_text, spans


def _read(folded: str) -> tuple[str, list[tuple[int, int]], set[str] | None, dict[str, Any]]:
    """:func:`model_input` plus, for text read as its glosses alone, the red lines its glossary
    terms support (only those may be decided there; None for text read as it is) and their term
    readings (``models.glossary.TERM_READING_RED_LINES``; empty for text read as it is)."""
    from models.glossary import gloss, is_other_language  # late: the glossary folds with this module

    suffix, spans, supported, readings = gloss(folded)
    if suffix and is_other_language(folded):
        return suffix, spans, supported, readings
    return folded + suffix, spans, None, {}


def training_text(text: str) -> str:
    """A training text as the model sees it (folded, glossed), like :meth:`RedLineClassifier.classify`."""
    return model_input(fold_text(text))[0]


def _occurrences(folded: str, gram: str, is_word: bool) -> Iterable[tuple[int, int]]:
    """Where an n-gram occurs in folded text. Character n-grams are matched as substrings (their
    padding spaces stripped); word n-grams must sit on word boundaries, any separator between."""
    if not is_word:
        needle = gram.strip()
        if not needle:
            return
        start = folded.find(needle)
        while start != -1:
            yield start, start + len(needle)
            start = folded.find(needle, start + 1)
        return
    yield from _word_occurrences(folded, gram)


#: What may not touch a word n-gram's ends (folded text is lower case).
_WORD_EDGE = frozenset("0123456789abcdefghijklmnopqrstuvwxyz_")


def _word_occurrences(folded: str, gram: str) -> Iterable[tuple[int, int]]:
    """Non-overlapping matches, left to right, of the words of ``gram`` with at least one non-word
    character (regex ``\\W``) between them and no letter, digit or underscore at either end.
    Written out with ``str.find`` because compiling a regex per n-gram cost more than the search."""
    first, *rest = gram.split(" ")
    n = len(folded)
    pos = folded.find(first)
    while pos != -1:
        end = pos + len(first)
        ok = pos == 0 or folded[pos - 1] not in _WORD_EDGE
        for word in rest if ok else ():
            j = end
            while j < n and not (folded[j].isalnum() or folded[j] == "_"):
                j += 1
            if j == end or not folded.startswith(word, j):
                ok = False
                break
            end = j + len(word)
        if ok and (end == n or folded[end] not in _WORD_EDGE):
            yield pos, end
            pos = folded.find(first, end)
        else:
            pos = folded.find(first, pos + 1)


# --- results ------------------------------------------------------------------------------------


#: Reasons a label scoring at or above its threshold is not decided (``LabelResult.held_back``).
HELD_BACK_EMPTY = "empty_text"  # nothing to read: the intercepts alone cannot decide a label
HELD_BACK_NO_TERM = "no_glossary_term"  # other-language text whose glossary terms support no such red line
HELD_BACK_NO_WORKPLACE = "no_workplace"  # fire on text read as it is that names no workplace (models.workplace)


@dataclass
class LabelResult:
    """One label's outcome for one text."""

    probability: float
    decided: bool
    threshold: float
    evidence: list[dict[str, Any]] = field(default_factory=list)
    #: Why a probability at or above the threshold was not decided: :data:`HELD_BACK_EMPTY`,
    #: :data:`HELD_BACK_NO_TERM` or :data:`HELD_BACK_NO_WORKPLACE`; None when the decision is
    #: simply probability >= threshold.
    held_back: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"probability": round(self.probability, 4), "decided": self.decided,
                "threshold": round(self.threshold, 4), "evidence": self.evidence, "held_back": self.held_back}


@dataclass
class Classification:
    """All labels for one text; ``truncated`` is True when the input exceeded :data:`MAX_CHARS`."""

    labels: dict[str, LabelResult]
    version: str
    truncated: bool = False
    length: int = 0

    @property
    def positive(self) -> list[str]:
        """Labels decided positive, in vocabulary order."""
        return [name for name, r in self.labels.items() if r.decided]

    @property
    def red_lines(self) -> list[str]:
        """Decided red-line labels."""
        return [name for name in self.positive if name in RED_LINES]

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "positive": self.positive, "truncated": self.truncated,
                "length": self.length, "labels": {k: v.to_dict() for k, v in self.labels.items()}}


# --- the model ----------------------------------------------------------------------------------


class _RowView:
    """Cheap per-row access to a CSR matrix (``indices``/``data`` views, no copies)."""

    def __init__(self, X: sp.csr_matrix) -> None:
        self.X = X

    def __getitem__(self, i: int) -> "_Row":
        a, b = self.X.indptr[i], self.X.indptr[i + 1]
        return _Row(self.X.indices[a:b], self.X.data[a:b])


@dataclass
class _Row:
    indices: np.ndarray
    data: np.ndarray


class _ScoredReading(NamedTuple):
    """A term reading (``models.glossary``) with its probabilities and feature row."""

    probabilities: list[float]
    row: _Row
    text: str
    spans: list[tuple[int, int]]


class RedLineClassifier:
    """A trained multi-label classifier; build with :func:`models.train.fit` or load an artifact.

    State (all plain numpy/scikit-learn objects, pickled with joblib):
    ``vectorizers`` — list of ``(name, FeatureSpace)`` (fitted TF-IDF families) whose outputs are stacked;
    ``coef`` — (n_labels, n_features) dense float32; ``intercept`` — (n_labels,);
    ``calib`` — (n_labels, 2) Platt parameters ``(a, c)`` so ``p = sigmoid(a * score + c)``;
    ``thresholds`` — (n_labels,) decision thresholds on ``p``.
    """

    def __init__(self, *, labels: Sequence[str], vectorizers: list[tuple[str, Any]], coef: np.ndarray,
                 intercept: np.ndarray, calib: np.ndarray, thresholds: np.ndarray, version: str,
                 config: dict[str, Any] | None = None, char_map: dict[str, str] | None = None) -> None:
        self.labels = tuple(labels)
        self.vectorizers = vectorizers
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.calib = np.asarray(calib, dtype=np.float64)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.version = version
        self.config = dict(config or {})
        self.char_map = char_map
        if char_map is not None and _char_map is None:
            set_char_map(char_map)
        self._feature_names: list[np.ndarray] | None = None
        self._offsets = self._column_offsets()
        # Sparse features times dense weights: scipy's matrix-vectors kernel, several times faster
        # than a sparse-times-sparse product and the same sums (checked on the corpus).
        self._coef_t = np.ascontiguousarray(self.coef.T)

    # -- plumbing --
    def _column_offsets(self) -> list[int]:
        offsets, total = [], 0
        for _name, vec in self.vectorizers:
            offsets.append(total)
            total += len(vec.vocabulary_)
        offsets.append(total)
        return offsets

    @property
    def n_features(self) -> int:
        return self._offsets[-1]

    def feature_names(self) -> list[np.ndarray]:
        """Per vectorizer, its feature names by column (built lazily: evidence only)."""
        if self._feature_names is None:
            self._feature_names = [vec.get_feature_names_out() for _n, vec in self.vectorizers]
        return self._feature_names

    def transform(self, folded: Sequence[str]) -> sp.csr_matrix:
        """Stacked TF-IDF matrix for already folded texts."""
        mats = [fast_tfidf(vec, folded) for _n, vec in self.vectorizers]
        return sp.hstack(mats, format="csr") if len(mats) > 1 else mats[0].tocsr()

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores, (n_texts, n_labels)."""
        return np.asarray(X @ self._coef_t) + self.intercept

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        """Calibrated probabilities, (n_texts, n_labels)."""
        return platt_probability(self.calib[:, 0], self.calib[:, 1], self.scores(X))

    # -- public API --
    def classify(self, text: str, *, evidence: str = "decided") -> Classification:
        """Classify one text. ``evidence``: ``"decided"`` (default), ``"all"`` labels or ``"none"``."""
        return self.classify_many([text], evidence=evidence)[0]

    def classify_many(self, texts: Iterable[str], *, evidence: str = "decided") -> list[Classification]:
        """Classify many texts at once (vectorised; the fast path for ingestion)."""
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"text #{i} must be str, got {type(t).__name__}")
        if evidence not in {"decided", "all", "none"}:
            raise ValueError(f"evidence must be 'decided', 'all' or 'none', got {evidence!r}")
        if not texts:
            return []
        originals, folded_list, inputs, glosses, gates, origins, truncated = [], [], [], [], [], [], []
        term_readings: list[tuple[tuple[int, str], str, list[tuple[int, int]]]] = []
        for i, t in enumerate(texts):
            cut = len(t) > MAX_CHARS
            t = t[:MAX_CHARS] if cut else t
            f, o = fold(t)
            extended, gloss_spans, gate, readings = _read(f)
            term_readings += [((i, label), reading, spans) for label, (reading, spans) in readings.items()]
            originals.append(t)
            folded_list.append(f)
            inputs.append(extended)
            glosses.append(gloss_spans)
            gates.append(gate)
            origins.append(o)
            truncated.append(cut)
        X = self.transform(inputs)
        P = self.probabilities(X)
        rows = _RowView(X)
        # Python floats once: indexing numpy element by element costs more than the loop's work.
        probs, thresholds = P.tolist(), self.thresholds.tolist()
        readings = self._score_readings(term_readings)
        out: list[Classification] = []
        for i, text in enumerate(originals):
            empty = not folded_list[i].strip()
            gate = gates[i]  # text read as its glosses alone: a red line needs a term written for it
            results: dict[str, LabelResult] = {}
            found_in_text: dict[tuple[str, bool], list[tuple[int, int]]] = {}  # shared by the text's labels
            for j, label in enumerate(self.labels):
                p = probs[i][j]
                thr = thresholds[j]
                row, model_text, spans, found = rows[i], inputs[i], glosses[i], found_in_text
                reading = readings.get((i, label))
                if reading is not None and reading.probabilities[j] > p:
                    # The red line's own terms read alone say more than the whole text's glosses.
                    p, row, model_text, spans, found = (reading.probabilities[j], reading.row, reading.text,
                                                        reading.spans, {})
                decided = p >= thr
                held_back = None
                if decided and empty:
                    decided, held_back = False, HELD_BACK_EMPTY
                elif decided and gate is not None and label in RED_LINES and label not in gate:
                    decided, held_back = False, HELD_BACK_NO_TERM
                elif decided and gate is None and label == "fire" and not names_workplace(inputs[i]):
                    # A forest, house or vehicle fire is not the red line (glossed text has the same rule).
                    decided, held_back = False, HELD_BACK_NO_WORKPLACE
                ev: list[dict[str, Any]] = []
                if not empty and (evidence == "all" or (evidence == "decided" and decided)):
                    ev = self.evidence(row, j, text, folded_list[i], origins[i], gloss_spans=spans,
                                       model_text=model_text, occurrences=found)
                results[label] = LabelResult(probability=p, decided=decided, threshold=thr, evidence=ev,
                                             held_back=held_back)
            out.append(Classification(labels=results, version=self.version, truncated=truncated[i],
                                      length=len(texts[i])))
        return out

    def _score_readings(self, found: list[tuple[tuple[int, str], str, list[tuple[int, int]]]]
                        ) -> dict[tuple[int, str], "_ScoredReading"]:
        """Score the term readings ``((text index, red line), reading, gloss spans)`` of a batch at once."""
        if not found:
            return {}
        X = self.transform([reading for _key, reading, _spans in found])
        probs, rows = self.probabilities(X).tolist(), _RowView(X)
        return {key: _ScoredReading(probs[k], rows[k], reading, spans)
                for k, (key, reading, spans) in enumerate(found)}

    def evidence(self, row: sp.csr_matrix, j: int, text: str, folded: str, origin: list[int] | None,
                 *, top: int = 12, max_spans: int = 5,
                 gloss_spans: Sequence[tuple[int, int]] = (), model_text: str | None = None,
                 occurrences: dict[tuple[str, bool], list[tuple[int, int]]] | None = None) -> list[dict[str, Any]]:
        """Spans of ``text`` whose n-grams contributed most to label ``j``.

        Each positive contribution ``coef × tfidf`` is spread over the characters of every
        occurrence of its n-gram in ``model_text``, what the features were computed on
        (:func:`model_input`: ``folded`` followed by glosses, or the glosses alone; default
        ``folded``); adjacent marked characters merge into one phrase (extended to whole Latin
        words); phrases are ranked by summed contribution. ``gloss_spans`` has one entry per gloss
        character: weight that lands on a gloss moves to the other-language term it glosses, so
        the highlight is on the text the user reads. ``occurrences`` caches n-gram positions in
        ``model_text`` across calls for one text (its labels share many n-grams).
        """
        cols, vals = row.indices, row.data
        contrib = vals * self.coef[j, cols]
        if len(contrib) > top:  # the top few only: a full sort of ~1,000 values cost more than the rest
            part = np.argpartition(-contrib, top - 1)[:top]
            order = part[np.argsort(-contrib[part], kind="stable")]
        else:
            order = np.argsort(-contrib, kind="stable")
        model_text = folded if model_text is None else model_text
        n_own = len(model_text) - len(gloss_spans)  # characters of the text itself: 0 or len(folded)
        # Plain Python floats from here on: per-element numpy calls cost more than the work itself.
        found = [0.0] * len(model_text)
        starts: list[int] = []  # where marked stretches may begin (in ``folded``), so the scan can skip
        names = self.feature_names()
        offsets = self._offsets
        for c, col in zip(contrib[order].tolist(), cols[order].tolist()):
            if c <= 0:
                break
            v = bisect_right(offsets, col) - 1
            gram = str(names[v][col - offsets[v]])
            is_word = self.vectorizers[v][0].startswith("word")
            spots = occurrences.get((gram, is_word)) if occurrences is not None else None
            if spots is None:
                spots = list(_occurrences(model_text, gram, is_word))
                if occurrences is not None:
                    occurrences[(gram, is_word)] = spots
            for start, end in spots:
                share = c / max(1, end - start)  # spread so long and short n-grams count alike
                for p in range(start, end):
                    found[p] += share
                if start < n_own:
                    starts.append(start)
        weights = found[:n_own] + [0.0] * (len(folded) - n_own)
        for k, w in enumerate(found[n_own:]):
            if w > 0:
                s_, e_ = gloss_spans[k]
                for p in range(s_, e_):
                    weights[p] += w / max(1, e_ - s_)
                starts.append(s_)
        starts.sort()
        spans: list[dict[str, Any]] = []
        i, n = 0, len(folded)
        at = (lambda k: k) if origin is None else origin.__getitem__
        while i < n:
            if weights[i] <= 0:
                # Jump to the next place a marked stretch begins: the first marked character
                # after an unmarked one always starts an occurrence.
                k = bisect_right(starts, i)
                if k == len(starts):
                    break
                i = starts[k]
                continue
            # A phrase: marked characters, a single space between two of them included.
            start = i
            while i < n and (weights[i] > 0 or (folded[i] == " " and i + 1 < n and weights[i + 1] > 0)):
                i += 1
            end = i
            # Whole Latin words only: "fir" inside "fire" becomes "fire".
            while start > 0 and _WORD_CHAR.match(folded[start - 1]) and _WORD_CHAR.match(folded[start]):
                start -= 1
            while end < n and _WORD_CHAR.match(folded[end]) and _WORD_CHAR.match(folded[end - 1]):
                end += 1
            while start < end and folded[start] == " ":
                start += 1
            while end > start and folded[end - 1] == " ":
                end -= 1
            if end > start:
                o_start, o_end = at(start), at(end - 1) + 1
                if spans and o_start <= spans[-1]["end"]:
                    spans[-1]["end"] = max(spans[-1]["end"], o_end)
                    spans[-1]["weight"] += sum(weights[start:end])
                    spans[-1]["text"] = text[spans[-1]["start"]:spans[-1]["end"]]
                else:
                    spans.append({"text": text[o_start:o_end], "start": o_start, "end": o_end,
                                  "weight": sum(weights[start:end])})
            i = max(i, end)
        spans.sort(key=lambda s: -s["weight"])
        for s in spans:
            s["weight"] = round(s["weight"], 4)
        return spans[:max_spans]

    # -- persistence --
    def state(self) -> dict[str, Any]:
        """Everything needed to rebuild the classifier (what the artifact file holds)."""
        return {"format": FORMAT_VERSION, "labels": list(self.labels), "vectorizers": self.vectorizers,
                "coef": self.coef, "intercept": self.intercept, "calib": self.calib,
                "thresholds": self.thresholds, "version": self.version, "config": self.config,
                "char_map": _pack_char_map(self.char_map)}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "RedLineClassifier":
        if state.get("format") not in READABLE_FORMATS:
            raise ValueError(f"unsupported artifact format {state.get('format')!r} (expected one of {READABLE_FORMATS})")
        return cls(labels=state["labels"], vectorizers=state["vectorizers"], coef=state["coef"],
                   intercept=state["intercept"], calib=state["calib"], thresholds=state["thresholds"],
                   version=state["version"], config=state.get("config"),
                   char_map=_unpack_char_map(state.get("char_map")))


def _pack_char_map(mapping: dict[str, str] | None) -> Any:
    """One-character → one-character maps as two strings (fast to unpickle, see FeatureSpace)."""
    if mapping and all(len(k) == 1 and len(v) == 1 for k, v in mapping.items()):
        return ("".join(mapping), "".join(mapping.values()))
    return mapping


def _unpack_char_map(packed: Any) -> dict[str, str] | None:
    if isinstance(packed, tuple):
        keys, values = packed
        return dict(zip(keys, values))
    return packed


# --- artifacts ----------------------------------------------------------------------------------


def save_artifact(clf: RedLineClassifier, directory: Path, card: dict[str, Any], *,
                  make_current: bool = True) -> Path:
    """Write ``<version>.joblib`` + ``<version>.card.json`` into ``directory``.

    ``card`` gains the artifact's file name and size (``artifact``, ``artifact_bytes``) before it
    is written. With ``make_current`` the ``current`` pointer is then switched to this version
    atomically. Returns the artifact path.
    """
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{clf.version}{ARTIFACT_SUFFIX}"
    tmp = path.with_suffix(".tmp")
    joblib.dump(clf.state(), tmp, compress=3)  # zlib: small and loads fast
    tmp.replace(path)
    card["artifact"] = path.name
    card["artifact_bytes"] = path.stat().st_size
    write_card(path, card)
    if make_current:
        set_current(directory, clf.version)
    return path


def set_current(directory: Path, version: str) -> None:
    """Point ``directory/current`` at ``version`` (atomic rename)."""
    if not (directory / f"{version}{ARTIFACT_SUFFIX}").exists():
        raise FileNotFoundError(f"no artifact {version}{ARTIFACT_SUFFIX} in {directory}")
    tmp = directory / f".{POINTER_NAME}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(directory / POINTER_NAME)


def current_version(directory: Path) -> str | None:
    """The version named by ``directory/current``, or None."""
    pointer = directory / POINTER_NAME
    if not pointer.is_file():
        return None
    version = pointer.read_text(encoding="utf-8").strip()
    return version if (directory / f"{version}{ARTIFACT_SUFFIX}").is_file() else None


def model_dir(settings: Any) -> Path:
    """Where retrained models live: ``settings.model_dir`` (relative to ``data_dir``) or ``data_dir/models``."""
    configured = (getattr(settings, "model_dir", "") or "").strip()
    if not configured:
        return Path(settings.data_dir) / "models"
    p = Path(configured).expanduser()
    return p if p.is_absolute() else Path(settings.data_dir) / p


def resolve_artifact(path: str | Path | None = None, settings: Any = None) -> Path:
    """The artifact file to load: ``path`` (file or directory with a ``current`` pointer), else the
    promoted model under :func:`model_dir` when there is one, else the bundled artifact."""
    candidates: list[Path] = []
    if path is not None:
        candidates.append(Path(path))
    else:
        if settings is not None:
            candidates.append(model_dir(settings))
        candidates.append(BUNDLED_DIR)
    for cand in candidates:
        if cand.is_file():
            return cand
        if cand.is_dir():
            version = current_version(cand)
            if version:
                return cand / f"{version}{ARTIFACT_SUFFIX}"
            if cand == BUNDLED_DIR:
                # An installed wheel may lack the extension-less pointer: take the newest artifact.
                found = sorted(cand.glob(f"redline-*{ARTIFACT_SUFFIX}"))
                if found:
                    return found[-1]
        if path is not None:
            break
    raise FileNotFoundError(
        f"no classifier artifact at {candidates[0]} (train one with `riskradar model train`)")


def load_classifier(path: str | Path | None = None, *, settings: Any = None) -> RedLineClassifier:
    """Load a classifier artifact.

    ``path`` may be an artifact file or a directory holding a ``current`` pointer. Without it the
    promoted model in ``settings``' model directory is preferred (when ``settings`` is given and a
    model was promoted there), then the bundled artifact in ``models/artifacts/``.
    """
    import joblib

    file = resolve_artifact(path, settings)
    state = joblib.load(file)
    return RedLineClassifier.from_state(state)


def card_path(artifact: Path) -> Path:
    """The model card file that belongs to an artifact file."""
    return artifact.with_name(artifact.name[: -len(ARTIFACT_SUFFIX)] + CARD_SUFFIX)


def write_card(artifact: Path, card: dict[str, Any]) -> None:
    """Write the model card of an artifact file (atomically: readers never see half a card)."""
    target = card_path(artifact)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(target)


def load_card(path: str | Path | None = None, *, settings: Any = None) -> dict[str, Any]:
    """The model card (JSON) next to the artifact that :func:`load_classifier` would load."""
    card = card_path(resolve_artifact(path, settings))
    if not card.is_file():
        raise FileNotFoundError(f"model card {card} is missing")
    return json.loads(card.read_text(encoding="utf-8"))


_default_lock = threading.Lock()
_default_cache: dict[str, Any] = {}
_configured_settings: Any = None


def configure(settings: Any) -> None:
    """Remember ``settings`` for this process so :func:`default_classifier` (and therefore
    ``tag_articles(..., classifier=None)``) prefers a model promoted under ``settings.model_dir``.
    Called by :func:`models.lifecycle.retrain_if_better`; apps may call it at start-up."""
    global _configured_settings
    _configured_settings = settings


def default_classifier(settings: Any = None) -> RedLineClassifier:
    """The classifier ingestion should use, cached per process.

    ``settings`` (or those given to :func:`configure`) select a promoted model; without either the
    bundled artifact is used. The cache is keyed by the resolved artifact path, so promoting a new
    model (which switches the ``current`` pointer) is picked up at the next call without a restart.
    """
    file = resolve_artifact(None, settings if settings is not None else _configured_settings)
    key = str(file)
    with _default_lock:
        if _default_cache.get("key") != key:
            _default_cache["clf"] = load_classifier(file)
            _default_cache["key"] = key
        return _default_cache["clf"]
