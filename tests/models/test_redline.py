"""The bundled red-line classifier: hard negatives, positives in en / zh-Hans / zh-Hant, evidence, edge input."""

from __future__ import annotations

import re

import pytest

from models.behaviour import HARD_NEGATIVES, OTHER_LANGUAGE_HARD_NEGATIVES, OTHER_LANGUAGE_POSITIVES, POSITIVES
from models.redline import MAX_CHARS, RedLineClassifier, fold


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative_raises_no_red_line(bundled, text):
    assert bundled.classify(text).red_lines == []


@pytest.mark.parametrize("text,label", POSITIVES)
def test_clear_positive_is_flagged(bundled, text, label):
    assert label in bundled.classify(text).positive


def test_mixed_language_text_is_flagged(bundled):
    result = bundled.classify("Dongguan supplier 工厂火灾 kills 12 workers, 多名工人遇难")
    assert "fire" in result.positive


def test_traditional_and_simplified_fold_to_the_same_text():
    assert fold("工廠發生火災")[0] == fold("工厂发生火灾")[0]


def test_evidence_offsets_point_into_original_text(bundled):
    text = "BREAKING:  Ｆａｃｔｏｒｙ FIRE kills 12 workers at a garment plant in Dhaka."
    result = bundled.classify(text)
    evidence = result.labels["fire"].evidence
    assert evidence, "a decided label carries evidence"
    for span in evidence:
        assert text[span["start"]:span["end"]] == span["text"]
    assert any("FIRE" in span["text"] or "Ｆａｃｔｏｒｙ" in span["text"] for span in evidence)


def test_evidence_offsets_in_traditional_chinese(bundled):
    text = "深圳一間電子廠凌晨發生火災，三名工人死亡。"
    span = bundled.classify(text).labels["fire"].evidence[0]
    assert text[span["start"]:span["end"]] == span["text"]
    assert "火" in span["text"] or "災" in span["text"] or "死" in span["text"]


def test_empty_text_decides_nothing_but_has_probabilities(bundled):
    result = bundled.classify("")
    assert result.positive == []
    assert all(0.0 <= r.probability <= 1.0 for r in result.labels.values())
    assert all(r.evidence == [] for r in result.labels.values())


def test_empty_text_names_why_a_label_above_threshold_is_not_decided(bundled):
    # Intercepts raised so that even empty text scores above every threshold.
    eager = RedLineClassifier.from_state({**bundled.state(), "intercept": bundled.intercept + 50.0})
    result = eager.classify("")
    assert all(r.probability >= r.threshold for r in result.labels.values())
    assert result.positive == []
    assert {r.held_back for r in result.labels.values()} == {"empty_text"}


def test_whitespace_only_text_decides_nothing(bundled):
    assert bundled.classify("   \n\t ").positive == []


def test_very_long_text_is_truncated_and_flagged(bundled):
    text = ("Factory fire kills workers. " + "x" * 50) * 20_000  # ~1.5 MB
    result = bundled.classify(text)
    assert result.truncated is True
    assert result.length == len(text) > MAX_CHARS
    assert "fire" in result.positive
    assert all(span["end"] <= MAX_CHARS for span in result.labels["fire"].evidence)


@pytest.mark.parametrize("bad", [None, 42, b"factory fire", ["fire"]])
def test_non_text_input_is_a_clear_type_error(bundled, bad):
    with pytest.raises(TypeError, match="must be str"):
        bundled.classify(bad)


def test_classify_many_matches_classify(bundled):
    texts = [POSITIVES[0][0], HARD_NEGATIVES[0], POSITIVES[5][0]]
    many = bundled.classify_many(texts)
    assert [c.positive for c in many] == [bundled.classify(t).positive for t in texts]


def test_result_carries_version_and_thresholds(bundled):
    result = bundled.classify("Factory fire kills workers")
    assert result.version.startswith("redline-")
    assert set(result.labels) == {"child_labour", "forced_labour", "bribery", "fire", "wages_hours",
                                  "health_safety", "environment", "discrimination"}
    assert all(0 < r.threshold < 1 for r in result.labels.values())


def test_label_vocabulary_matches_the_domain():
    from models import redline
    from riskradar.domain.base import CLASSIFIER_LABELS, RED_LINES

    assert redline.LABELS == CLASSIFIER_LABELS and redline.RED_LINES == RED_LINES


def test_fast_tfidf_equals_scikit_learn(bundled):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from models.redline import FeatureSpace, fold_text
    from models.train import WORD_TOKEN

    docs = [fold_text(t) for t, _ in POSITIVES] + [fold_text(t) for t in HARD_NEGATIVES] + ["", "  a\t\tb  c", "x"]
    for analyzer, rng in (("char_wb", (2, 5)), ("char", (1, 3)), ("word", (1, 2))):
        extra = {"token_pattern": WORD_TOKEN} if analyzer == "word" else {}
        vec = TfidfVectorizer(analyzer=analyzer, ngram_range=rng, lowercase=False, sublinear_tf=True,
                              **extra).fit(docs)
        expected = vec.transform(docs).toarray()
        got = FeatureSpace.from_vectorizer(vec).transform(docs).toarray()
        assert abs(expected - got).max() < 1e-6, analyzer


# --- other languages, through the multilingual glossary ---------------------------------------

@pytest.mark.parametrize("text,label,term", OTHER_LANGUAGE_POSITIVES)
def test_other_language_text_is_flagged_with_evidence_in_its_own_words(bundled, text, label, term):
    result = bundled.classify(text)
    assert label in result.positive
    spans = result.labels[label].evidence
    assert term in [s["text"] for s in spans]
    assert all(text[s["start"]:s["end"]] == s["text"] for s in spans)  # offsets into the original


@pytest.mark.parametrize("text", OTHER_LANGUAGE_HARD_NEGATIVES)
def test_other_language_hard_negatives_raise_no_red_line(bundled, text):
    assert bundled.classify(text).red_lines == []


def test_english_and_chinese_text_get_no_glosses():
    from models.redline import fold_text, model_input

    for text in ("Ceasefire holds as CEO is fired", "工厂发生火灾，三名工人受伤"):
        folded = fold_text(text)
        assert model_input(folded) == (folded, [])


def test_other_language_text_is_read_as_its_glosses_alone():
    from models.glossary import gloss_suffix
    from models.redline import fold_text, model_input

    folded = fold_text("Incendio en una fábrica textil: tres trabajadores muertos")
    assert model_input(folded) == gloss_suffix(folded)
    assert model_input(folded)[0].startswith(" ⟨ ")


def test_english_text_with_a_foreign_term_keeps_its_own_words():
    from models.glossary import gloss_suffix
    from models.redline import fold_text, model_input

    folded = fold_text("Police in Verona break up a caporalato ring that exploited farm workers in the vineyards")
    suffix, spans = gloss_suffix(folded)
    assert suffix  # the loanword is glossed ...
    assert model_input(folded) == (folded + suffix, spans)  # ... and the English text is still read


# --- artifact encoding ------------------------------------------------------------------------

SAMPLE = ["服裝廠發生火災，三名工人死亡", "Factory fire kills three workers", "Incendio en una fábrica textil",
          "Board fires CEO after quarterly loss"]


def test_artifact_round_trip_gives_identical_results(bundled, tmp_path):
    from models.redline import load_classifier, save_artifact

    path = save_artifact(bundled, tmp_path, {"version": bundled.version}, make_current=False)
    reloaded = load_classifier(path)
    assert reloaded.char_map == bundled.char_map
    assert [v.vocabulary_ for _n, v in reloaded.vectorizers] == [v.vocabulary_ for _n, v in bundled.vectorizers]
    assert ([r.to_dict() for r in reloaded.classify_many(SAMPLE, evidence="all")]
            == [r.to_dict() for r in bundled.classify_many(SAMPLE, evidence="all")])


def test_vocabulary_and_char_map_are_stored_compactly(bundled):
    import numpy as np

    state = bundled.state()
    assert isinstance(state["char_map"], tuple)  # two strings, not thousands of dict entries
    assert all(isinstance(v.__getstate__()["vocabulary_"], np.ndarray) for _n, v in state["vectorizers"])


def test_artifacts_with_plain_dicts_still_load(bundled):
    """Artifacts written before the fifth session hold the vocabularies and the char map as dicts."""
    from models.redline import FeatureSpace

    state = {**bundled.state(), "format": 1}
    state["char_map"] = dict(bundled.char_map)
    old_spaces = []
    for name, space in state["vectorizers"]:
        old = FeatureSpace.__new__(FeatureSpace)
        old.__setstate__({**space.__getstate__(), "vocabulary_": dict(space.vocabulary_)})
        old_spaces.append((name, old))
    state["vectorizers"] = old_spaces
    clf = RedLineClassifier.from_state(state)
    assert [r.to_dict() for r in clf.classify_many(SAMPLE)] == [r.to_dict() for r in bundled.classify_many(SAMPLE)]


def test_vocabulary_with_a_nul_character_stays_a_dict(bundled):
    import copy

    space = copy.copy(bundled.vectorizers[0][1])
    space.__dict__["vocabulary_"] = {"a\x00": 0, "b": 1}
    assert space.__getstate__()["vocabulary_"] == {"a\x00": 0, "b": 1}


def test_unknown_artifact_format_is_a_clear_error(bundled):
    from models.redline import RedLineClassifier

    with pytest.raises(ValueError, match="unsupported artifact format 99"):
        RedLineClassifier.from_state({**bundled.state(), "format": 99})


def test_text_read_as_glosses_alone_needs_a_term_written_for_the_red_line(bundled):
    """"Workers ; factory" alone scores high for fire (the model never saw text that short), but
    no fire term was found, so no red line is decided; a secondary label may still be."""
    result = bundled.classify("Los trabajadores de la fábrica textil protestan frente a la planta")
    assert result.labels["fire"].probability >= result.labels["fire"].threshold
    assert result.red_lines == []
    assert result.labels["fire"].held_back == "no_glossary_term"
    assert result.to_dict()["labels"]["fire"]["held_back"] == "no_glossary_term"


def test_decided_and_undecided_labels_below_threshold_carry_no_hold_back_reason(bundled):
    result = bundled.classify("Explosion at chemical plant warehouse kills five workers")
    assert result.labels["fire"].decided and result.labels["fire"].held_back is None
    below = [r for r in result.labels.values() if r.probability < r.threshold]
    assert below and all(r.held_back is None for r in below)


def test_red_line_term_in_other_language_text_lets_the_red_line_through(bundled):
    result = bundled.classify("Incendio en una fábrica textil deja tres trabajadores muertos")
    assert "fire" in result.red_lines


def _regex_word_occurrences(text: str, gram: str) -> list[tuple[int, int]]:
    """The definition the hand-written matcher must keep: words on ASCII word edges, any \\W run between."""
    words = gram.split(" ")
    pattern = re.compile(r"(?<![0-9a-z_])" + r"\W+".join(re.escape(w) for w in words) + r"(?![0-9a-z_])")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("text, gram", [
    ("child labour found; child-labour ring", "child labour"),
    ("children labour", "child labour"),  # no match inside a longer word
    ("a a a a", "a a"),  # matches do not overlap
    ("forced\u3000labour and forced — labour", "forced labour"),  # any non-word run between
    ("forced_labour", "forced labour"),  # underscore is a word character, not a separator
    ("worker's fire; workers fire", "worker's fire"),
    ("fire", "fire"), ("", "fire"), ("firefire fire", "fire"),
    ("bribe\u5de5\u5382bribe bribe", "bribe"),  # CJK next to a word: an edge, as in the regex
    ("kickbacks 回扣 kickback", "kickback"),
])
def test_word_ngram_occurrences_match_the_regex_definition(text, gram):
    from models.redline import _word_occurrences

    assert list(_word_occurrences(text, gram)) == _regex_word_occurrences(text, gram)


# Indonesian: a mother and child forced to work in an employer's house and a parts factory. Read as
# the whole gloss block ("child ; village ; forced to work ; house ; employer ; factory ; vehicle ...")
# it scores low for forced labour; the term naming the red line, read alone, does not.
FORCED_AMONG_CONTEXT = ("Ibu dan anak dari sebuah desa di Rembang dipaksa bekerja di rumah majikan dan di pabrik "
                        "suku cadang kendaraan di Malaysia, mengasuh anak sang majikan siang dan malam")


def test_other_language_text_is_also_read_by_the_terms_naming_a_red_line(bundled):
    from models.redline import fold_text, model_input

    j = bundled.labels.index("forced_labour")
    whole = bundled.probabilities(bundled.transform([model_input(fold_text(FORCED_AMONG_CONTEXT))[0]]))[0, j]
    result = bundled.classify(FORCED_AMONG_CONTEXT).labels["forced_labour"]
    assert whole < result.threshold <= result.probability
    assert result.decided


def test_evidence_of_a_term_reading_is_the_term_in_the_text(bundled):
    result = bundled.classify(FORCED_AMONG_CONTEXT).labels["forced_labour"]
    assert [e["text"] for e in result.evidence] == ["dipaksa bekerja"]


def test_children_in_another_language_are_not_child_labour_without_work(bundled):
    """The model reads "child" as child labour; with no work in sight the glossary holds it back."""
    result = bundled.classify("Un niño de ocho años muere atropellado por un autobús escolar en Sevilla")
    assert result.red_lines == []
    assert result.labels["child_labour"].held_back == "no_glossary_term"


def test_a_vietnamese_forced_to_work_survives_the_longer_work_term(bundled):
    result = bundled.classify("Công an giải cứu 15 người bị ép làm việc tại một xưởng may ở Bình Dương")
    assert result.labels["forced_labour"].decided
    assert [e["text"] for e in result.labels["forced_labour"].evidence] == ["ép làm"]


def test_child_labour_statistics_in_another_language_raise_no_alarm(bundled):
    result = bundled.classify("Según la encuesta nacional, la tasa de trabajo infantil bajó al 5 % en 2024")
    assert result.red_lines == []
    assert result.labels["child_labour"].held_back == "no_glossary_term"


def test_a_raid_in_another_language_still_raises_child_labour_beside_a_law(bundled):
    text = "Polisi menggerebek pabrik dan menemukan pekerja anak; pemilik terancam undang-undang perlindungan anak"
    assert bundled.classify(text).red_lines == ["child_labour"]
