"""The labelled corpus: read and validate JSONL files, report bad lines with their line number.

Corpus line (``models/data/corpus.<lang>.jsonl``)::

    {"id": "en-0001", "text": "headline. lead", "lang": "en"|"zh", "labels": ["fire", ...],
     "source_url": "https://...", "event": "short description", "split": "train"|"heldout"}

Evaluation files (``riskradar model evaluate --data``) need only ``text``, ``lang`` and ``labels``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from riskradar.domain.base import CLASSIFIER_LABELS, RED_LINES
from riskradar.errors import UserInputError

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_FILES = ("corpus.en.jsonl", "corpus.zh.jsonl", "corpus.news.jsonl")
SPLITS = ("train", "heldout")
LANGS = ("en", "zh")
CORPUS_FIELDS = ("id", "text", "lang", "labels", "source_url", "event", "split")
EVAL_FIELDS = ("text", "lang", "labels")
#: Held-out requirements from the issue: size, Chinese share, positives per red line.
HELDOUT_MIN_ITEMS = 300
HELDOUT_MIN_ZH_SHARE = 0.40
HELDOUT_MIN_POSITIVES = 40


@dataclass
class Example:
    """One labelled text."""

    text: str
    lang: str
    labels: list[str]
    id: str = ""
    source_url: str = ""
    event: str = ""
    split: str = "train"
    origin: str = ""  # "file:line", for messages

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "lang": self.lang, "labels": self.labels,
                "source_url": self.source_url, "event": self.event, "split": self.split}


@dataclass
class Problem:
    """A malformed line: where and what."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CorpusError(UserInputError):
    """Raised when a file has malformed lines (all of them are listed in ``problems``)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        head = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} malformed line(s): {head}{more}")


def _check(obj: Any, required: Sequence[str]) -> str | None:
    """Why ``obj`` is not a valid line, or None."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    missing = [k for k in required if k not in obj]
    if missing:
        return f"missing field(s): {', '.join(missing)}"
    if not isinstance(obj["text"], str):
        return "'text' must be a string"
    if not isinstance(obj["lang"], str) or not obj["lang"].strip():
        return "'lang' must be a non-empty string"
    labels = obj["labels"]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return "'labels' must be a list of strings"
    unknown = sorted(set(labels) - set(CLASSIFIER_LABELS))
    if unknown:
        return f"unknown label(s) {unknown}; known: {', '.join(CLASSIFIER_LABELS)}"
    if "split" in required and obj["split"] not in SPLITS:
        return f"'split' must be one of {SPLITS}, got {obj['split']!r}"
    if "source_url" in required and not str(obj["source_url"]).startswith(("http://", "https://")):
        return "'source_url' must be an http(s) URL"
    for key in ("id", "event"):
        if key in required and (not isinstance(obj[key], str) or not obj[key].strip()):
            return f"'{key}' must be a non-empty string"
    if "id" in required and not obj["text"].strip():
        return "'text' is empty"
    return None


def read_jsonl(path: str | Path, *, corpus: bool = True) -> tuple[list[Example], list[Problem]]:
    """Read a JSONL file; returns the valid examples and the problems (never raises on bad lines).

    ``corpus=True`` requires every corpus field; otherwise only ``text``, ``lang``, ``labels``.
    Blank lines are skipped.
    """
    path = Path(path)
    required = CORPUS_FIELDS if corpus else EVAL_FIELDS
    examples: list[Example] = []
    problems: list[Problem] = []
    with path.open("r", encoding="utf-8-sig") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(Problem(str(path), lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"))
                continue
            why = _check(obj, required)
            if why:
                problems.append(Problem(str(path), lineno, why))
                continue
            examples.append(Example(text=obj["text"], lang=obj["lang"].strip().lower(),
                                    labels=sorted(set(obj["labels"])), id=str(obj.get("id", "")),
                                    source_url=str(obj.get("source_url", "")), event=str(obj.get("event", "")),
                                    split=str(obj.get("split", "train")), origin=f"{path.name}:{lineno}"))
    return examples, problems


def load_jsonl(path: str | Path, *, corpus: bool = True) -> list[Example]:
    """Like :func:`read_jsonl` but raises :class:`CorpusError` when any line is malformed."""
    examples, problems = read_jsonl(path, corpus=corpus)
    if problems:
        raise CorpusError(problems)
    return examples


def corpus_paths(data_dir: Path | None = None) -> list[Path]:
    """The corpus files that exist in ``data_dir`` (default: ``models/data``)."""
    base = data_dir or DATA_DIR
    return [base / name for name in CORPUS_FILES if (base / name).is_file()]


def load_corpus(paths: Iterable[str | Path] | None = None, *, strict: bool = True) -> list[Example]:
    """All corpus examples. ``strict`` raises on malformed lines; otherwise they are skipped."""
    out: list[Example] = []
    problems: list[Problem] = []
    for p in (list(paths) if paths is not None else corpus_paths()):
        ex, pr = read_jsonl(p, corpus=True)
        out.extend(ex)
        problems.extend(pr)
    if problems and strict:
        raise CorpusError(problems)
    return out


def split(examples: Iterable[Example], name: str) -> list[Example]:
    """Examples of one split."""
    return [e for e in examples if e.split == name]


def event_key(example: Example) -> str:
    """The event an example reports: its ``event`` note, normalised (several items, from
    several outlets, may describe one event)."""
    return " ".join(example.event.lower().split())


def url_key(example: Example) -> str:
    """The source URL, normalised."""
    return example.source_url.strip().rstrip("/").lower()


@dataclass
class Validation:
    """Outcome of :func:`validate`: hard errors and soft warnings (e.g. held-out targets)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(examples: Sequence[Example], *, check_heldout_targets: bool = True) -> Validation:
    """Corpus-wide checks: unique ids, no event in both splits, held-out size and composition."""
    result = Validation()
    ids = Counter(e.id for e in examples)
    result.errors += [f"duplicate id {i!r} ({n} times)" for i, n in ids.items() if n > 1]
    # An event (same event note, or same source URL) must sit wholly in one split.
    for what, key in (("event", event_key), ("source_url", url_key)):
        splits_by: dict[str, set[str]] = defaultdict(set)
        for e in examples:
            splits_by[key(e)].add(e.split)
        leaks = sorted(k for k, s in splits_by.items() if len(s) > 1)
        result.errors += [f"{what} {k!r} appears in both train and heldout" for k in leaks]
    texts = Counter(e.text.strip() for e in examples)
    result.errors += [f"duplicate text {t[:60]!r}" for t, n in texts.items() if n > 1]
    if check_heldout_targets:
        held = split(examples, "heldout")
        if len(held) < HELDOUT_MIN_ITEMS:
            result.warnings.append(f"heldout has {len(held)} items (< {HELDOUT_MIN_ITEMS})")
        zh = sum(1 for e in held if e.lang == "zh")
        if held and zh / len(held) < HELDOUT_MIN_ZH_SHARE:
            result.warnings.append(f"heldout is {zh / len(held):.0%} Chinese (< {HELDOUT_MIN_ZH_SHARE:.0%})")
        for label in RED_LINES:
            n = sum(1 for e in held if label in e.labels)
            if n < HELDOUT_MIN_POSITIVES:
                result.warnings.append(f"heldout has {n} {label} positives (< {HELDOUT_MIN_POSITIVES})")
    return result


def stats(examples: Sequence[Example]) -> dict[str, Any]:
    """Counts per split, language and label (for the README and the model card)."""
    out: dict[str, Any] = {}
    for name in SPLITS:
        part = split(examples, name)
        out[name] = {
            "items": len(part),
            "events": len({event_key(e) for e in part}),
            "by_lang": dict(sorted(Counter(e.lang for e in part).items())),
            "negatives": sum(1 for e in part if not e.labels),
            "by_label": {lab: sum(1 for e in part if lab in e.labels) for lab in CLASSIFIER_LABELS},
            "by_label_lang": {lab: dict(sorted(Counter(e.lang for e in part if lab in e.labels).items()))
                              for lab in CLASSIFIER_LABELS},
        }
    return out
