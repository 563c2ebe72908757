"""The multilingual glossary (models/glossary.py, models/data/glossary.tsv)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models import glossary
from models.glossary import GLOSSARY_PATH, HEADER, Glossary, load_glossary
from models.redline import RedLineClassifier, fold_text

PRIORITY = ("es", "pt", "fr", "de", "vi", "id", "th", "ja", "ko", "tr", "hi", "bn")
DATA = Path(glossary.__file__).resolve().parent / "data"


@pytest.fixture(scope="module", autouse=True)
def _char_map(bundled: RedLineClassifier) -> None:
    """Fold with the artifact's Traditional→Simplified map, as in production."""


@pytest.fixture(scope="module")
def gl() -> Glossary:
    return load_glossary()


def glosses(text: str) -> list[str]:
    return [g for _s, _e, g in glossary.find_terms(fold_text(text))]


def write_tsv(tmp_path: Path, rows: list[str], header: str = "\t".join(HEADER)) -> Path:
    path = tmp_path / "glossary.tsv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# --- the shipped glossary --------------------------------------------------------------------


def test_loads_with_rows_for_every_priority_language(gl: Glossary) -> None:
    assert set(gl.rows_per_lang) == set(glossary.LANGS)
    for lang in PRIORITY:
        assert gl.rows_per_lang[lang] >= 40, lang
    for lang in glossary.LANGS:
        assert gl.rows_per_lang[lang] >= 25, lang


def test_every_term_is_reachable_as_itself(gl: Glossary) -> None:
    """Each folded term, alone as a text, is found whole with its own gloss (nothing shadows it,
    the non-ASCII pre-filter lets it through). Kanji-only Japanese terms need kana next to them,
    Portuguese-only terms a Portuguese word."""
    for e in gl.entries:
        text = e.term + {"kana": "が", "portuguese": " com"}.get(e.cue or "", "")
        assert gl.find_terms(text) == [(0, len(e.term), e.gloss)], (e.lang, e.term, e.line)


def test_every_red_line_has_terms_in_priority_languages() -> None:
    notes: dict[str, set[str]] = {}
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines()[1:]:
        lang, _term, _gloss, note = line.split("\t")
        notes.setdefault(lang, set()).add(note.split(";")[0])
    for lang in PRIORITY:
        assert {"child_labour", "forced_labour", "bribery", "fire", "hard negative"} <= notes[lang], lang


@pytest.mark.parametrize("text, expected", [
    ("Israel y Hamás acuerdan un alto el fuego en Gaza", ["ceasefire"]),
    ("Un incendio forestal arrasa 2.000 hectáreas", ["wildfire"]),
    ("La policía abrió fuego contra los manifestantes", ["police", "shooting", "protesters"]),
    ("Le cessez-le-feu est entré en vigueur", ["ceasefire"]),
    ("Des feux de forêt ravagent le sud", ["wildfire"]),
    ("Der Waldbrand ist gelöscht, die Waffenruhe hält", ["wildfire", "ceasefire"]),
    ("Der Vorstandschef wurde entlassen", ["dismissed"]),
    ("Vụ cháy rừng ở Lâm Đồng đã được khống chế", ["wildfire"]),
    ("Kebakaran hutan di Riau meluas", ["wildfire"]),
    ("山火事が発生した", ["wildfire"]),
    ("산불이 번지고 있다", ["wildfire"]),
    ("花火大会が開かれた", ["fireworks"]),
    ("Los fuegos artificiales iluminaron el cielo", ["fireworks"]),
])
def test_hard_negatives_win_over_the_words_inside_them(text: str, expected: list[str]) -> None:
    assert glosses(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Un incendio en una fábrica textil dejó 12 trabajadores muertos",
     ["factory fire", "workers", "killed"]),
    ("Trabalhadores resgatados em condições análogas à escravidão", ["workers", "rescued", "forced labour"]),
    ("Kinderarbeit bei einem Zulieferer aufgedeckt", ["child labour", "suppliers"]),
    ("Vụ cháy nhà máy khiến 3 công nhân thiệt mạng", ["factory fire", "workers", "killed"]),
    ("Fabrikada çıkan yangında 3 işçi hayatını kaybetti", ["factory", "fire", "workers", "died"]),
    ("공장에서 화재가 발생해 근로자 2명이 숨졌다", ["factory", "fire", "workers", "died"]),
    ("कारखाने में भीषण आग, 5 मजदूरों की मौत", ["factory", "blaze", "workers", "death"]),
    ("কারখানায় আগুনে ১০ শ্রমিক নিহত", ["factory fire", "workers", "killed"]),
    ("На заводе произошёл пожар, погибли рабочие", ["factory", "fire", "killed", "workers"]),
    ("حريق في مصنع يودي بحياة عمال", ["factory fire", "killed", "workers"]),
])
def test_typical_headlines(text: str, expected: list[str]) -> None:
    assert glosses(text) == expected


@pytest.mark.parametrize("text, expected", [
    # Drills name the fire they simulate; the whole drill phrase must win over "incendio"/"cháy"/"화재",
    # and the setting (a school) is glossed too, as context.
    ("Simulacro de incendio en un colegio de Sevilla", ["evacuation drill", "school"]),
    ("Trường học tổ chức diễn tập phòng cháy chữa cháy", ["school", "evacuation drill"]),
    ("โรงเรียนจัดซ้อมอพยพหนีไฟประจำปี", ["school", "evacuation drill"]),
    ("전국 화재대피훈련이 열렸다", ["evacuation drill"]),
    ("Okulda yangın tatbikatı yapıldı", ["school", "evacuation drill"]),
    ("স্কুলে আগুন নেভানোর মহড়া", ["school", "evacuation drill"]),
    # "without casualties" must not gloss as "deaths".
    ("Api dipadamkan tanpa korban jiwa", ["no casualties"]),
    # Vietnamese "bị bắt" is "arrested" alone but "forced to" before a verb.
    ("Họ bị bắt nộp tiền chuộc", ["made to pay", "ransom"]),
    ("Hai người bị bắt", ["arrested"]),
    # Portuguese "fogo" is fire, but "cessar-fogo" stays a ceasefire.
    ("Fogo atinge fábrica em Manaus", ["fire", "factory"]),
    ("Cessar-fogo entra em vigor", ["ceasefire"]),
])
def test_drills_casualty_negations_and_verb_phrases(text: str, expected: list[str]) -> None:
    assert glosses(text) == expected


def test_thai_and_japanese_match_without_spaces() -> None:
    assert glosses("ไฟไหม้โรงงานคนงานเสียชีวิต") == ["factory fire", "workers", "died"]
    assert glosses("工場で火事、技能実習生に強制労働させた") == [
        "factory", "fire", "trainee workers", "forced labour"]


def test_word_boundaries_in_space_delimited_scripts() -> None:
    assert glosses("Die Fabrikanten trafen sich") == []  # "fabrik" inside a longer word
    assert glosses("Nail polish and polishing lines") == []  # Turkish "polis"
    assert glosses("आगे की योजना") == []  # "आग" (fire) + a vowel sign is another word
    assert glosses("예방화재 교육") == []  # Korean stems still need a boundary on the left
    assert glosses("화재로 인한 피해") == ["fire"]  # ... but take particles on the right
    assert glosses("화재보험 가입") == ["fire insurance"]
    assert glosses("화상회의에서 논의") == ["video conference"]
    assert glosses("We can verify that") == []  # Turkish "can verdi" (died) is spelled out, no stem


def test_turkish_capitals_still_match() -> None:
    # str.lower() folds "İ" to "i" + combining dot and "I" to "i": capitalised forms are added
    assert glosses("İŞÇİLER EYLEMDE: FABRİKADA YANGIN") == ["workers", "protest", "factory fire"]
    assert glosses("İşçi Hayatını Kaybetti") == ["workers", "died"]


def test_kanji_only_japanese_terms_never_fire_on_chinese_text() -> None:
    assert glosses("工场内发现死者") == []
    assert glosses("工場で死者") == ["factory", "dead"]


def test_english_and_chinese_text_yield_nothing() -> None:
    assert glossary.gloss_suffix(fold_text("A fire at a garment factory killed 12 workers.")) == ("", [])
    assert glossary.gloss_suffix(fold_text("服装厂发生火灾，12名工人死亡")) == ("", [])


#: Other-language words that English reporting uses as they are; glossing them is right.
LOANWORDS = {
    "caporalato",  # Italian gangmaster system (en-0807, Verona farm workers)
    "criadazgo",  # Paraguayan child domestic servitude (en-1862, Coronel Oviedo)
    "kinderarbeid",  # a Dutch law's own name, Wet zorgplicht kinderarbeid (en-2096)
    "atipsom",  # Malaysia's anti-trafficking act, named so in English news too (en-2209)
}


@pytest.mark.parametrize("name", ["corpus.en.jsonl", "corpus.zh.jsonl", "corpus.news.jsonl"])
def test_training_corpora_have_no_matches(name: str) -> None:
    """False-positive guard: English and Chinese training texts must stay as they are, apart from
    loanwords that mean the same in English news."""
    hits = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        folded = fold_text(row["text"])
        hits += [(row["id"], folded[s:e]) for s, e, _g in glossary.find_terms(folded) if folded[s:e] not in LOANWORDS]
    assert hits == []


def test_matching_is_cheap_on_english_text() -> None:
    """A loose guard (50x the measured cost) against a slow path creeping in."""
    import time

    texts = [fold_text(json.loads(line)["text"])
             for line in (DATA / "corpus.en.jsonl").read_text(encoding="utf-8").splitlines()]
    glossary.gloss_suffix(texts[0])
    start = time.perf_counter()
    for text in texts:
        glossary.gloss_suffix(text)
    assert (time.perf_counter() - start) / len(texts) < 250e-6


# --- offsets ---------------------------------------------------------------------------------


def test_matches_and_suffix_map_back_to_the_source_terms(gl: Glossary) -> None:
    folded = fold_text("Ein Großbrand in der Fabrik: 3 Arbeiter getötet, alto el fuego")
    matches = gl.find_terms(folded)
    assert [folded[s:e] for s, e, _g in matches] == ["großbrand", "fabrik", "arbeiter", "getötet",
                                                      "alto el fuego"]
    suffix, spans = gl.gloss_suffix(folded)
    assert suffix == " ⟨ blaze ; factory ; workers ; killed ; ceasefire ⟩"
    assert len(spans) == len(suffix)
    for s, e, g in matches:  # every character of a gloss points at its own term
        at = suffix.index(f" {g} ") + 1
        assert set(spans[at:at + len(g)]) == {(s, e)}
    assert spans[0] == spans[2] == (matches[0][0], matches[0][1])  # opening -> first term
    sep = suffix.index(" ; ")
    assert spans[sep:sep + 3] == [(matches[0][0], matches[0][1])] * 3  # separator -> previous term
    assert spans[-1] == (matches[-1][0], matches[-1][1])


def test_longest_match_wins_even_when_it_starts_later(tmp_path: Path) -> None:
    gl = load_glossary(write_tsv(tmp_path, ["vi\tvụ cháy\tfire\tok", "vi\tcháy rừng\twildfire\tok"]))
    assert gl.find_terms("vụ cháy rừng") == [(3, 12, "wildfire")]
    assert gl.find_terms("vụ cháy nhà") == [(0, 7, "fire")]


def test_offsets_count_code_points_beyond_the_bmp(gl: Glossary) -> None:
    folded = fold_text("🔥𠀀 incendio")
    assert gl.find_terms(folded) == [(3, 11, "fire")]


def test_offsets_survive_folding_that_changes_length(gl: Glossary) -> None:
    # NFKC turns the ligature into two characters: offsets are in folded text, not the original
    folded = fold_text("ﬁ … trabajo infantil")
    [(s, e, g)] = gl.find_terms(folded)
    assert (folded[s:e], g) == ("trabajo infantil", "child labour")


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("row, message", [
    ("xx\tfeuer\tfire\tnote", "unknown language code"),
    ("de\t\tfire\tnote", "empty term"),
    ("de\tfeuer\t\tnote", "empty gloss"),
    ("de\tfeuer\tfire", "expected 4 tab-separated fields"),
    ("de\tFeuer\tfire\tnote", "must be lower case"),
    ("es\tfue\tfire\tnote", "shorter than 4 letters"),
    ("de\tfeuer\tFire!\tnote", "lower-case ASCII English"),
    ("th\tไฟไหม้*\tfire\tnote", "stem mark"),
    ("de\tfeu*er\tfire\tnote", "allowed only once"),
])
def test_malformed_rows_raise_naming_the_line(tmp_path: Path, row: str, message: str) -> None:
    path = write_tsv(tmp_path, ["es\tincendio\tfire\tok", row])
    with pytest.raises(ValueError, match=message) as exc:
        load_glossary(path)
    assert f"{path}:3:" in str(exc.value)


def test_duplicates_and_conflicts_raise(tmp_path: Path) -> None:
    path = write_tsv(tmp_path, ["es\tincendio\tfire\tok", "es\tincendio\tblaze\tagain"])
    with pytest.raises(ValueError, match=r":3: duplicate term .*\(first on line 2\)"):
        load_glossary(path)
    path = write_tsv(tmp_path, ["es\tpropina\ttip\tok", "pt\tpropina\tbribe\tclash"])
    with pytest.raises(ValueError, match=r":3: term 'propina' conflicts with line 2"):
        load_glossary(path)
    path = write_tsv(tmp_path, ["es\tsuborno\tbribe\tok", "pt\tsuborno\tbribe\tsame word"])
    assert load_glossary(path).find_terms("un suborno") == [(3, 10, "bribe")]


def test_bad_header_raises(tmp_path: Path) -> None:
    path = write_tsv(tmp_path, ["es\tincendio\tfire\tok"], header="lang\tterm\tgloss")
    with pytest.raises(ValueError, match=":1: header"):
        load_glossary(path)


def test_glossary_without_ascii_terms_still_searches_ascii_text(tmp_path: Path) -> None:
    gl = load_glossary(write_tsv(tmp_path, ["th\tไฟไหม้\tfire\tok"]))
    assert gl.find_terms("plain ascii") == []
    assert gl.find_terms("ไฟไหม้") == [(0, 6, "fire")]


# --- which texts are read as glosses alone ---------------------------------------------------


@pytest.mark.parametrize("text", [
    "Incendio en una fábrica textil deja tres trabajadores muertos",
    "Großbrand in einer Textilfabrik: drei Arbeiter getötet",
    "Cháy xưởng may ở Bình Dương, ba công nhân tử vong",
    "섬유 공장 화재로 노동자 3명 사망",
    "Kebakaran pabrik tekstil di Bekasi menewaskan tiga pekerja dan melukai belasan lainnya pada Senin pagi",
])
def test_text_in_a_third_language_is_other_language(text: str) -> None:
    assert glossary.is_other_language(fold_text(text))


@pytest.mark.parametrize("text", [
    "Fire at a textile factory kills three workers",  # plain ASCII and short: a headline, not Indonesian
    "纺织厂火灾致三名工人死亡",
    "繊維工場で火災、作業員3人死亡",  # Japanese: its kanji still mean something to the zh n-grams
])
def test_english_chinese_and_japanese_text_is_not_other_language(text: str) -> None:
    assert not glossary.is_other_language(fold_text(text))


@pytest.mark.parametrize("pattern", ["corpus.*.jsonl", "eval.news-zhen*.jsonl"])
def test_no_english_or_chinese_text_is_other_language(pattern: str) -> None:
    texts = [json.loads(line) for path in sorted(DATA.glob(pattern))
             for line in path.read_text(encoding="utf-8").splitlines()]
    assert texts
    assert [t.get("id") for t in texts if glossary.is_other_language(fold_text(t["text"]))] == []


# --- red lines a text's terms support --------------------------------------------------------

def test_a_red_line_term_supports_its_red_line() -> None:
    assert glossary.supported_red_lines(fold_text("Un incendio en una fábrica textil")) == {"fire"}


def test_context_terms_support_no_red_line() -> None:
    assert glossary.supported_red_lines(fold_text("Los trabajadores de la fábrica protestan")) == set()


def test_hard_negative_terms_support_no_red_line() -> None:
    assert glossary.supported_red_lines(fold_text("Alto el fuego en Gaza")) == set()


def test_support_comes_from_the_note_column(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("\t".join(HEADER) + "\nes\tsoborno\tbribe\tbribery\nes\tcoima\tbribe\tcontext\n"
                    "es\tfábrica\tfactory\tcontext\n", encoding="utf-8")
    g = load_glossary(path)
    assert g.supported_red_lines(fold_text("pagó una coima")) == {"bribery"}  # the gloss is shared
    assert g.supported_red_lines(fold_text("la fábrica")) == set()


def _fire_glossary(tmp_path: Path) -> glossary.Glossary:
    path = tmp_path / "g.tsv"
    path.write_text("\t".join(HEADER) + "\nes\tincendio\tfire\tfire\nes\tfábrica\tfactory\tcontext\n"
                    "es\tvivienda\thouse\tcontext\nes\tsimulacro\tevacuation drill\thard negative\n"
                    "es\tempresa\tcompany\tcontext\n", encoding="utf-8")
    return load_glossary(path)


def test_fire_needs_a_workplace_among_the_terms(tmp_path: Path) -> None:
    g = _fire_glossary(tmp_path)
    assert g.supported_red_lines(fold_text("incendio en una fábrica")) == {"fire"}
    assert g.supported_red_lines(fold_text("incendio en la empresa")) == {"fire"}


def test_fire_without_a_workplace_is_not_supported(tmp_path: Path) -> None:
    """House, vehicle and forest fires name no workplace: the domain's fire is a workplace fire."""
    assert _fire_glossary(tmp_path).supported_red_lines(fold_text("incendio en una vivienda")) == set()


def test_a_drill_is_not_a_fire_even_at_a_factory(tmp_path: Path) -> None:
    g = _fire_glossary(tmp_path)
    assert g.supported_red_lines(fold_text("simulacro de incendio en una fábrica")) == set()


def test_bundled_glossary_reads_a_house_fire_as_no_workplace_fire() -> None:
    assert glossary.supported_red_lines(fold_text("Incendio en una vivienda de Valencia deja dos heridos")) == set()
    assert glossary.supported_red_lines(fold_text("Incendio deja tres trabajadores heridos en Lima")) == {"fire"}


def test_a_portuguese_bribe_word_that_is_a_spanish_tip_stays_out_of_spanish_text() -> None:
    """"propina" is a bribe in Portuguese and a tip in Spanish; every row applies to every language."""
    spanish = "Los camareros de Madrid reclaman que la propina pagada con tarjeta llegue íntegra a su nómina"
    assert glossary.supported_red_lines(fold_text(spanish)) == set()


def test_the_portuguese_bribe_word_still_counts_in_portuguese_text() -> None:
    portuguese = "Fiscais da prefeitura são presos por exigir propina de comerciantes"
    assert glossary.supported_red_lines(fold_text(portuguese)) == {"bribery"}


def test_portuguese_only_is_refused_on_other_languages(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("\t".join(HEADER) + "\nes\tpropina\tbribe\tbribery; portuguese only\n", encoding="utf-8")
    with pytest.raises(ValueError, match="g.tsv:2: 'portuguese only' is for Portuguese rows only"):
        load_glossary(path)


def test_korean_slave_contract_is_not_forced_labour() -> None:
    """노예계약 is the press's word for exploitative entertainment contracts, not forced labour."""
    assert glossary.supported_red_lines(fold_text("노예계약 논란 아이돌 그룹, 소속사와 전속계약 분쟁 소송 제기")) == set()
    assert glossary.supported_red_lines(fold_text("염전 노예 사건, 지적장애인 강제노동 업주 징역형")) == {"forced_labour"}


def test_typographic_apostrophes_match_terms_written_with_straight_ones() -> None:
    text = fold_text("Des feux d’artifice annulés à Perpignan")
    (start, end, gloss), = glossary.find_terms(text)
    assert gloss == "fireworks" and text[start:end] == "feux d’artifice"  # offsets into the text as given


# --- term readings and the work a child label needs ------------------------------------------

def _term_glossary(tmp_path: Path) -> glossary.Glossary:
    path = tmp_path / "g.tsv"
    path.write_text("\t".join(HEADER) + "\nes\ttrabajo forzoso\tforced labour\tforced_labour\n"
                    "es\ttrata de personas\thuman trafficking\tforced_labour\nes\tcasa\thouse\tcontext\n"
                    "es\tpolicía\tpolice\tcontext\nes\tincendio forestal\twildfire\thard negative\n"
                    "es\tincendio\tfire\tfire\nes\tfábrica\tfactory\tcontext\n", encoding="utf-8")
    return load_glossary(path)


def test_a_term_reading_keeps_the_terms_naming_the_red_line_and_the_hard_negatives(tmp_path: Path) -> None:
    text = fold_text("La policía halla trabajo forzoso y trata de personas en una casa junto al incendio forestal")
    readings = _term_glossary(tmp_path).term_readings(text, {"forced_labour"})
    assert list(readings) == ["forced_labour"]
    assert readings["forced_labour"][0] == " ⟨ forced labour ; wildfire ⟩"


def test_a_term_reading_maps_back_to_its_terms(tmp_path: Path) -> None:
    text = fold_text("Trabajo forzoso en una casa")
    reading, spans = _term_glossary(tmp_path).term_readings(text, {"forced_labour"})["forced_labour"]
    assert len(spans) == len(reading)
    assert {text[s:e] for s, e in spans} == {"trabajo forzoso"}


def test_circumstantial_terms_alone_give_no_term_reading(tmp_path: Path) -> None:
    """"Human trafficking" may be for sex: it is context for a reading, not the red line itself."""
    text = fold_text("Trata de personas en una casa")
    assert _term_glossary(tmp_path).term_readings(text, {"forced_labour"}) == {}


def test_fire_has_no_term_reading(tmp_path: Path) -> None:
    """A fire term never names the workplace that makes the fire a red line."""
    text = fold_text("Incendio en una fábrica")
    g = _term_glossary(tmp_path)
    assert g.supported_red_lines(text) == {"fire"}
    assert g.term_readings(text, {"fire"}) == {}


def test_a_child_alone_does_not_support_child_labour() -> None:
    """A toy recall, a school or an accident names children, not children at work."""
    recall = "Profeco alerta: si un niño traga los imanes de estos bloques puede sufrir lesiones graves"
    assert "child_labour" not in glossary.supported_red_lines(fold_text(recall))


@pytest.mark.parametrize("text", [
    "Niños de diez años trabajan en la cosecha de tabaco en Jalisco",  # a work verb
    "Des centaines d'enfants dans les carrières de granit de Pissy",  # a place of work
    "Rescatan a tres niños obligados a trabajar en una tortillería",  # a term naming forced labour
])
def test_a_child_at_work_supports_child_labour(text: str) -> None:
    assert "child_labour" in glossary.supported_red_lines(fold_text(text))


def test_a_term_naming_child_labour_needs_no_work_term() -> None:
    assert "child_labour" in glossary.supported_red_lines(fold_text("Denuncian trabajo infantil en Bolivia"))


# --- overlaps between context and red-line terms -------------------------------------------------

def test_a_context_term_does_not_take_a_red_line_term_it_only_straddles(tmp_path: Path) -> None:
    """"làm việc" (work) is longer than "ép làm" (forced to work) but only shares a word with it."""
    g = load_glossary(write_tsv(tmp_path, ["vi\tép làm\tforced to work\tforced_labour",
                                           "vi\tlàm việc\twork\tcontext; work"]))
    assert [gloss for _s, _e, gloss in g.find_terms(fold_text("bị ép làm việc"))] == ["forced to work"]


def test_a_context_term_containing_a_red_line_term_still_wins(tmp_path: Path) -> None:
    """"anak perusahaan" is a subsidiary, not a child."""
    g = load_glossary(write_tsv(tmp_path, ["id\tanak\tchild\tchild_labour",
                                           "id\tanak perusahaan\tsubsidiary\tcontext"]))
    assert [gloss for _s, _e, gloss in g.find_terms(fold_text("anak perusahaan"))] == ["subsidiary"]


# --- the register of statistics, laws and campaigns --------------------------------------------

def _register_glossary(tmp_path: Path) -> Glossary:
    return load_glossary(write_tsv(tmp_path, [
        "es\ttrabajo infantil\tchild labour\tchild_labour", "es\tencuesta\tsurvey\tregister",
        "es\toperativo\traid\tcase", "es\tpolicía\tpolice\tcontext"]))


def test_register_and_case_terms_are_found_but_never_glossed(tmp_path: Path) -> None:
    g = _register_glossary(tmp_path)
    text = fold_text("Encuesta: la policía y un operativo contra el trabajo infantil")
    assert {gloss for _s, _e, gloss in g.find_terms(text)} == {"survey", "police", "raid", "child labour"}
    assert g.gloss_suffix(text)[0] == " ⟨ police ; child labour ⟩"


def test_child_labour_in_the_register_of_a_survey_is_not_supported(tmp_path: Path) -> None:
    g = _register_glossary(tmp_path)
    assert g.supported_red_lines(fold_text("Según la encuesta, el trabajo infantil bajó al 5 %")) == set()


@pytest.mark.parametrize("case", ["la policía", "un operativo"])
def test_a_concrete_case_lifts_the_register_veto(tmp_path: Path, case: str) -> None:
    g = _register_glossary(tmp_path)
    text = fold_text(f"Según la encuesta, {case} halló trabajo infantil en una ladrillera")
    assert g.supported_red_lines(text) == {"child_labour"}


def test_a_register_or_case_gloss_may_not_be_an_ordinary_rows_gloss(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="glossary.tsv:3: gloss 'survey' is a register or case row's gloss"):
        load_glossary(write_tsv(tmp_path, ["es\tencuesta\tsurvey\tregister", "pt\tpesquisa\tsurvey\tcontext"]))
    with pytest.raises(ValueError, match="glossary.tsv:3: gloss 'raid' of a case row is also an ordinary"):
        load_glossary(write_tsv(tmp_path, ["es\tredada\traid\tcontext", "es\toperativo\traid\tcase"]))


def test_bundled_glossary_holds_back_child_labour_statistics() -> None:
    text = "Según la encuesta nacional, la tasa de trabajo infantil bajó al 5 % en 2024"
    assert "child_labour" not in glossary.supported_red_lines(fold_text(text))


def test_trafficking_victims_support_forced_labour_without_a_term_reading(gl: Glossary) -> None:
    """Victims of trafficking may have been trafficked for sex: support, not a reading of their own."""
    text = fold_text("Korban perdagangan orang dipulangkan dari perkebunan sawit")
    assert "forced_labour" in gl.supported_red_lines(text)
    assert gl.term_readings(text, {"forced_labour"}) == {}
