"""Vectorised counting of a fitted vocabulary's character n-grams (``char`` and ``char_wb``).

Cutting every text into Python string slices and looking each one up in a dict was over half of
the classifier's time. Here a batch of texts becomes one numpy array of small character codes;
every n-gram up to length ``hi`` is packed exactly (no hashing) into one ``uint64`` key, and the
keys are looked up in the sorted keys of the vocabulary. The result is the same multiset of
(row, column) pairs scikit-learn's analyzers give (tested against scikit-learn).

Why it is exact: characters of the vocabulary get codes ``1..A``; any other character gets 0 and
no n-gram containing a 0 can be in the vocabulary. With ``bits = 64 // hi`` bits per character and
codes never 0, keys of different lengths fall in disjoint ranges, so a key names one n-gram.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

#: What scikit-learn's n-gram analyzers collapse before cutting (runs of white space).
WS_RUN = re.compile(r"\s\s+")
#: Break windows between texts and (``char_wb``) between padded words; never in a vocabulary.
_DOC_SEP, _WORD_SEP = "\x00", "\x01"
_N_CODEPOINTS = 0x110000


class CharGramCounter:
    """Finds, for a batch of texts, every occurrence of a vocabulary's character n-grams."""

    def __init__(self, analyzer: str, ngram_range: tuple[int, int], vocabulary: dict[str, int]) -> None:
        self.analyzer = analyzer
        self.lo, self.hi = ngram_range
        self.bits = 64 // self.hi
        alphabet = sorted({ch for term in vocabulary for ch in term})
        # uint16 codes: the lookup table stays small (2.2 MB) and covers every codepoint.
        self._lut = np.zeros(_N_CODEPOINTS, dtype=np.uint16)
        self._lut[[ord(ch) for ch in alphabet]] = np.arange(1, len(alphabet) + 1, dtype=np.uint16)
        keyed = sorted((self._key(term), col) for term, col in vocabulary.items())
        self._keys = np.array([k for k, _c in keyed], dtype=np.uint64)
        self._cols = np.array([c for _k, c in keyed], dtype=np.int64)
        # Unigrams: the key is the character code itself, so a dense table answers directly.
        self._unigram_col = np.full(len(alphabet) + 1, -1, dtype=np.int64)
        for term, col in vocabulary.items():
            if len(term) == 1:
                self._unigram_col[self._lut[ord(term)]] = col

    @classmethod
    def supports(cls, analyzer: str, ngram_range: tuple[int, int], vocabulary: dict[str, int]) -> bool:
        """Whether the packing is exact for this vocabulary (else the caller cuts strings itself)."""
        lo, hi = ngram_range
        if analyzer not in ("char", "char_wb") or not 1 <= lo <= hi or hi > 8:
            return False
        if analyzer == "char_wb" and lo > 3:  # a padded word is >= 3 long; see scikit-learn's short-word rule
            return False
        alphabet = {ch for term in vocabulary for ch in term}
        return not alphabet & {_DOC_SEP, _WORD_SEP} and len(alphabet) < min(2 ** (64 // hi), 2 ** 16)

    def _key(self, term: str) -> int:
        key = 0
        for ch in term:
            key = (key << self.bits) | int(self._lut[ord(ch)])
        return key

    def _joined(self, docs: Sequence[str]) -> str:
        """The batch as one string, separators where no n-gram may cross."""
        # A NUL inside a text would split it in two; \x01 also has code 0, so nothing else changes.
        docs = [d.replace(_DOC_SEP, _WORD_SEP) if _DOC_SEP in d else d for d in docs]
        if self.analyzer == "char":
            return _DOC_SEP.join(WS_RUN.sub(" ", d) for d in docs)
        # char_wb: each word padded with one space on each side, as scikit-learn does
        padded = (f" {f' {_WORD_SEP} '.join(words)} " if (words := d.split()) else "" for d in docs)
        return _DOC_SEP.join(padded)

    def count(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, cols)``: one pair per occurrence of a vocabulary n-gram in ``docs[row]``."""
        joined = self._joined(docs)
        if not joined:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        codes = self._lut[points].astype(np.uint64)
        doc_of = np.cumsum(points == ord(_DOC_SEP), dtype=np.int64)  # text index at each position
        key, valid = codes.copy(), codes != 0
        rows, cols = [], []
        for n in range(1, self.hi + 1):
            if n > 1:
                m = len(codes) - n + 1
                if m <= 0:
                    break
                tail = codes[n - 1:]
                key = (key[:m] << np.uint64(self.bits)) | tail
                valid = valid[:m] & (tail != 0)
            if n < self.lo:
                continue
            starts = np.flatnonzero(valid)
            if n == 1:
                col = self._unigram_col[key[starts]]
                hit = col >= 0
                rows.append(doc_of[starts[hit]])
                cols.append(col[hit])
                continue
            # A batch repeats its n-grams many times: searching the distinct keys only (sorted,
            # which also suits the binary search) halves the lookup cost.
            found, inverse = np.unique(key[starts], return_inverse=True)
            at = np.searchsorted(self._keys, found)
            at[at == len(self._keys)] = 0
            hit_u = self._keys[at] == found
            col_u = np.where(hit_u, self._cols[at], -1)[inverse]
            hit = col_u >= 0
            rows.append(doc_of[starts[hit]])
            cols.append(col_u[hit])
        return np.concatenate(rows), np.concatenate(cols)
