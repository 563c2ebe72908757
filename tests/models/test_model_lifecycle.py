"""Tagging stored articles, analyst feedback, and the retraining promotion gate (tiny models)."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import select

from models.lifecycle import feedback_examples, record_feedback, retrain_if_better
from models.redline import current_version, default_classifier, load_classifier, model_dir
from models.tagging import article_text, tag_articles
from models.train import TrainConfig
from riskradar.domain.news import Article, ArticleTag, TrainingExample

TINY = TrainConfig(cv_folds=2, char=None, word=(1, 1), char_wb=(3, 4), min_df=1)


def _article(session, title: str, summary: str | None = None, lang: str = "en") -> Article:
    article = Article(title=title, summary=summary, lang=lang,
                      title_key=hashlib.sha256(title.encode()).hexdigest())
    session.add(article)
    session.flush()
    return article


def test_tag_articles_writes_tags_and_marks_articles(session, bundled):
    fire = _article(session, "Fire at garment factory kills 40 workers",
                    "<p>Workers were trapped behind <b>locked exits</b> &amp; died.</p>")
    calm = _article(session, "Company reports higher quarterly revenue", "Sales rose 5%.")
    written = tag_articles(session, [fire, calm], classifier=bundled)
    session.commit()
    tags = {t.label: t for t in session.scalars(select(ArticleTag).where(ArticleTag.article_id == fire.id))}
    assert written >= 1 and tags["fire"].decided is True
    assert tags["fire"].model_version == bundled.version and 0 < tags["fire"].probability <= 1
    text, summary_start = article_text(fire.title, fire.summary)
    for span in tags["fire"].evidence:
        assert text[span["start"]:span["end"]] == span["text"]
        source = fire.title if span["field"] == "title" else text[summary_start:]
        assert source[span["field_start"]:span["field_end"]] == span["text"]
    assert not any(t.decided and t.label in {"fire", "bribery", "child_labour", "forced_labour"}
                   for t in session.scalars(select(ArticleTag).where(ArticleTag.article_id == calm.id)))
    assert fire.classified_at is not None and calm.model_version == bundled.version


def test_retagging_updates_rows_instead_of_duplicating(session, bundled):
    art = _article(session, "Explosion at chemical plant kills five workers")
    tag_articles(session, [art], classifier=bundled)
    first = session.scalars(select(ArticleTag).where(ArticleTag.article_id == art.id)).all()
    tag_articles(session, [art], classifier=bundled)
    session.commit()
    again = session.scalars(select(ArticleTag).where(ArticleTag.article_id == art.id)).all()
    assert sorted(t.label for t in again) == sorted(t.label for t in first)


def test_tag_articles_without_classifier_uses_bundled_model(session, settings):
    art = _article(session, "工厂发生火灾，多名工人死亡", lang="zh")
    tag_articles(session, [art], settings=settings)
    assert art.model_version == default_classifier(settings).version


def test_record_feedback_stores_training_example_and_reviews_tag(session, bundled):
    art = _article(session, "Fire at garment factory kills 40 workers")
    tag_articles(session, [art], classifier=bundled)
    record_feedback(session, art.id, "fire", True, None)
    record_feedback(session, art.id, "wages_hours", False, None)
    record_feedback(session, art.id, "wages_hours", True, None)  # a later verdict wins
    session.commit()
    rows = session.scalars(select(TrainingExample)).all()
    assert len(rows) == 1
    assert rows[0].labels == ["fire", "wages_hours"] and rows[0].negative_labels == []
    tag = session.scalars(select(ArticleTag).where(ArticleTag.article_id == art.id,
                                                   ArticleTag.label == "fire")).one()
    assert tag.review_status == "confirmed"
    examples = feedback_examples(session)
    assert examples[0].labels == ["fire", "wages_hours"] and examples[0].split == "train"


def test_record_feedback_rejects_unknown_label_and_article(session):
    art = _article(session, "Some headline")
    with pytest.raises(ValueError, match="unknown label"):
        record_feedback(session, art.id, "arson", True, None)
    with pytest.raises(ValueError, match="does not exist"):
        record_feedback(session, 999_999, "fire", True, None)


# --- retraining ----------------------------------------------------------------------------------

FIRE = ["factory blaze kills workers", "warehouse fire injures staff", "plant explosion and fire",
        "fire guts garment factory", "workers die in mill fire", "blaze at chemical plant",
        "explosion rocks factory floor", "dormitory fire kills workers", "fire in textile plant",
        "boiler blast sets plant ablaze", "fire sweeps shoe factory", "depot explosion and blaze"]
BRIBE = ["manager took kickbacks from supplier", "bribes paid to win contract", "buyer accepted bribe",
         "supplier paid kickback to purchasing chief", "official bribed for tender", "kickback scheme uncovered",
         "bribery charges over contracts", "firm admits paying bribes", "procurement bribe probe",
         "executive jailed for bribes", "bribes for permits", "vendor kickbacks exposed"]
NEG = ["quarterly revenue rises", "new store opens downtown", "shares climb after results",
       "company appoints finance chief", "merger talks continue", "product launch next month",
       "dividend raised again", "factory opening ceremony held", "profit beats forecast",
       "new headquarters unveiled", "sales grow in asia", "chief executive retires"]


def _corpus(path: Path, corrupt: bool = False) -> Path:
    rows, i = [], 0
    for label, texts in (("fire", FIRE), ("bribery", BRIBE), (None, NEG)):
        for j, text in enumerate(texts):
            i += 1
            split = "heldout" if j % 3 == 0 else "train"
            labels = [label] if label else []
            if corrupt and split == "train":
                labels = [] if label == "fire" else (["fire"] if label is None else labels)
            rows.append({"id": f"x-{i}", "text": text, "lang": "en", "labels": labels,
                         "source_url": f"https://example.org/{i}", "event": f"event {i}", "split": split})
    random.Random(3).shuffle(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_retrain_promotes_first_model_then_rejects_a_worse_one(db, settings, tmp_path):
    good = _corpus(tmp_path / "good.jsonl")
    first = retrain_if_better(db, settings, config=TINY, corpus=[good], include_bundled=False)
    assert first["promoted"] is True and first["current_version"] is None
    target = model_dir(settings)
    assert current_version(target) == first["candidate_version"]

    bad = _corpus(tmp_path / "bad.jsonl", corrupt=True)
    second = retrain_if_better(db, settings, config=TINY, corpus=[bad], include_bundled=False)
    assert second["promoted"] is False
    assert "fell" in second["reason"]
    assert current_version(target) == first["candidate_version"]
    assert not (target / f"{second['candidate_version']}.joblib").exists()
    assert load_classifier(settings=settings).version == first["candidate_version"]


def test_retrain_promotes_an_equally_good_model(db, settings, tmp_path):
    good = _corpus(tmp_path / "good.jsonl")
    first = retrain_if_better(db, settings, config=TINY, corpus=[good], include_bundled=False)
    second = retrain_if_better(db, settings, config=TINY, corpus=[good], include_bundled=False)
    assert second["current"] == second["candidate"] == first["candidate"]
    assert second["promoted"] is True, second["reason"]
    assert current_version(model_dir(settings)) == second["candidate_version"]


def test_retrain_trains_on_analyst_feedback(db, settings, tmp_path):
    good = _corpus(tmp_path / "good.jsonl")
    first = retrain_if_better(db, settings, config=TINY, corpus=[good], include_bundled=False)
    with db.scope() as session:
        art = _article(session, "fire destroys spinning mill, workers hurt")
        record_feedback(session, art.id, "fire", True, None)
    second = retrain_if_better(db, settings, config=TINY, corpus=[good], include_bundled=False)
    assert second["feedback_examples"] == 1
    assert second["train_items"] == first["train_items"] + 1
    assert second["candidate_version"] != first["candidate_version"]
    with db.scope() as session:
        used = session.scalars(select(TrainingExample)).one().used_in_model
    assert used == (second["candidate_version"] if second["promoted"] else None)


def test_model_train_command_writes_versioned_artifact_and_card(tmp_path):
    from click.testing import CliRunner

    from riskradar.cli import main

    corpus = _corpus(tmp_path / "c.jsonl")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["model", "train", "--data", str(corpus), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    card = json.loads(res.output)
    assert card["version"].startswith("redline-") and current_version(out) == card["version"]
    assert (out / f"{card['version']}.joblib").stat().st_size == card["artifact_bytes"] < 50_000_000
    assert card["data"]["train_items"] == 24 and card["data"]["corpus"]["heldout"]["items"] == 12
    assert set(card["heldout_metrics"]["per_label"]["fire"]) >= {"precision", "recall", "f1", "support"}
    assert set(card["thresholds"]) == {"child_labour", "forced_labour", "bribery", "fire", "wages_hours",
                                       "health_safety", "environment", "discrimination"}
    assert load_classifier(out).classify("fire guts garment factory").version == card["version"]
    # This tiny English model cannot pass the Chinese checks; the card says which it fails.
    assert any("服装厂发生火灾" in f for f in card["behaviour_failures"])


def test_model_train_command_reports_malformed_corpus(tmp_path):
    from click.testing import CliRunner

    from riskradar.cli import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["model", "train", "--data", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code != 0 and "bad.jsonl:1" in res.output


def test_promotion_switches_the_default_classifier_used_by_tagging(db, settings, tmp_path):
    from models import redline

    try:
        result = retrain_if_better(db, settings, config=TINY, corpus=[_corpus(tmp_path / "g.jsonl")],
                                   include_bundled=False)
        with db.scope() as session:
            art = _article(session, "fire guts garment factory")
            tag_articles(session, [art])  # no classifier, no settings: the configured promoted model
            assert art.model_version == result["candidate_version"]
    finally:
        redline.configure(None)


def test_retrain_rejects_a_candidate_that_fails_a_behaviour_check_the_current_model_passes(db, settings, tmp_path):
    good = _corpus(tmp_path / "good.jsonl")
    first = retrain_if_better(db, settings, config=TINY, corpus=[good], include_bundled=False)
    assert first["promoted"] is True
    # The same corpus plus train items that (wrongly) call compliance-training news bribery: the
    # held-out split has no such story, so held-out metrics cannot see the damage; the checks do.
    poisoned = tmp_path / "poisoned.jsonl"
    rows = [json.loads(line) for line in good.read_text(encoding="utf-8").splitlines()]
    for i, text in enumerate(["company launches anti-bribery training", "new anti-corruption policy published",
                              "employees complete anti-bribery course", "anti-corruption training for all staff",
                              "firm publishes anti-bribery policy", "compliance training on anti-corruption"]):
        rows.append({"id": f"p-{i}", "text": text, "lang": "en", "labels": ["bribery"],
                     "source_url": f"https://example.org/p{i}", "event": f"poison {i}", "split": "train"})
    poisoned.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    second = retrain_if_better(db, settings, config=TINY, corpus=[poisoned], include_bundled=False)

    assert second["promoted"] is False
    assert "behaviour check" in second["reason"] and "anti-bribery training" in second["reason"]
    assert current_version(model_dir(settings)) == first["candidate_version"]


def _trained(tmp_path: Path) -> tuple[Path, list]:
    from models.corpus import load_jsonl
    from models.train import train_and_save

    examples = load_jsonl(_corpus(tmp_path / "c.jsonl"))
    _clf, _card, artifact = train_and_save(examples, tmp_path / "out", config=TINY)
    return artifact, examples


def test_refresh_card_remeasures_relabelled_heldout_without_touching_the_artifact(tmp_path):
    from models.corpus import split
    from models.evaluate import evaluate
    from models.redline import card_path
    from models.train import refresh_card

    artifact, examples = _trained(tmp_path)
    weights = artifact.read_bytes()
    before = json.loads(card_path(artifact).read_text(encoding="utf-8"))
    for e in split(examples, "heldout"):  # an audit that turns every held-out fire item negative
        e.labels = [lab for lab in e.labels if lab != "fire"]
    card = refresh_card(artifact, examples, note="label audit")
    assert card["heldout_metrics"] == evaluate(load_classifier(artifact), split(examples, "heldout"))
    assert card["heldout_metrics"]["per_label"]["fire"]["support"] == 0
    assert before["heldout_metrics"]["per_label"]["fire"]["support"] > 0
    assert card["evaluation_note"] == "label audit" and card["remeasured_at"]
    assert card["thresholds"] == before["thresholds"] and card["cv_train_metrics"] == before["cv_train_metrics"]
    assert json.loads(card_path(artifact).read_text(encoding="utf-8")) == card
    assert artifact.read_bytes() == weights


def test_refresh_card_refuses_without_a_reason(tmp_path):
    from models.train import refresh_card

    artifact, examples = _trained(tmp_path)
    with pytest.raises(ValueError, match="why"):
        refresh_card(artifact, examples, note="  ")


def test_model_card_refresh_command_needs_a_note_and_reports_the_remeasure(tmp_path):
    from click.testing import CliRunner

    from riskradar.cli import main

    artifact, _examples = _trained(tmp_path)
    res = CliRunner().invoke(main, ["model", "card", "--refresh", "--model", str(artifact)])
    assert res.exit_code == 2 and "--note" in res.output
    res = CliRunner().invoke(main, ["model", "card", "--refresh", "--note", "new evaluation set",
                                    "--model", str(artifact)])
    assert res.exit_code == 0, res.output
    assert "re-measured:" in res.output and "new evaluation set" in res.output
