"""CLI for the red-line classifier: ``model train|evaluate|card`` and top-level ``classify``."""

from __future__ import annotations

from pathlib import Path

import click

from riskradar.cli.common import echo_json, echo_table, json_option, pass_app


def _load(path: str | None, app) -> "object":  # type: ignore[no-untyped-def]
    from models.redline import load_classifier

    try:
        return load_classifier(path, settings=None if path else app.settings)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("model")
def model_group() -> None:
    """Train, evaluate and inspect the red-line classifier."""


@model_group.command("train")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for the artifact (default: <data_dir>/models, becomes the current model).")
@click.option("--data", "data_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Corpus JSONL file(s) (default: models/data/corpus.*.jsonl).")
@click.option("--no-feedback", is_flag=True, help="Ignore analyst feedback stored in the database.")
@json_option
@pass_app
def train_cmd(app, out_dir: Path | None, data_files: tuple[Path, ...], no_feedback: bool, as_json: bool) -> None:
    """Train on the corpus train split (+ analyst feedback), evaluate on held-out, write a versioned artifact."""
    from models.corpus import load_corpus
    from models.lifecycle import feedback_examples
    from models.redline import model_dir
    from models.train import train_and_save

    examples = load_corpus(list(data_files) if data_files else None)
    if not examples:
        raise click.ClickException("no corpus examples found")
    extra = []
    if not no_feedback and out_dir is None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with app.db.scope() as session:
                extra = feedback_examples(session)
        except SQLAlchemyError as exc:  # e.g. database not migrated yet: train on the corpus alone
            click.echo(f"warning: analyst feedback not read ({type(exc).__name__}); "
                       "run `riskradar init-db` to include it", err=True)
    target = out_dir or model_dir(app.settings)
    _clf, card, path = train_and_save(examples, target, extra=extra)
    if as_json:
        echo_json({"artifact": str(path), **card})
        return
    click.echo(f"trained {card['version']} -> {path} ({card['artifact_bytes'] / 1e6:.1f} MB)")
    _print_metrics(card.get("heldout_metrics"))
    failures = card.get("behaviour_failures") or []
    click.echo(f"\nbehaviour checks: {'all passed' if not failures else f'{len(failures)} failed'}")
    for failure in failures:
        click.echo(f"  {failure}")


def _print_metrics(metrics: dict | None) -> None:
    if not metrics:
        click.echo("no held-out examples: nothing evaluated")
        return
    click.echo(f"red-line macro-F1: {metrics['macro_f1']}  (n={metrics['n']})")
    rows = [(lab, m["precision"], m["recall"], m["f1"], m["support"]) for lab, m in metrics["per_label"].items()]
    echo_table(["label", "precision", "recall", "f1", "support"], rows)
    for lang, lm in metrics.get("per_lang", {}).items():
        click.echo(f"\n[{lang}] n={lm['n']} red-line macro-F1: {lm['macro_f1']}")
        echo_table(["label", "precision", "recall", "f1", "support"],
                   [(lab, m["precision"], m["recall"], m["f1"], m["support"]) for lab, m in lm["per_label"].items()])


@model_group.command("evaluate")
@click.option("--data", "data_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file, one {"text", "lang", "labels"} object per line.')
@click.option("--model", "model_path", default=None, help="Artifact file or directory (default: current model).")
@json_option
@pass_app
def evaluate_cmd(app, data_file: Path, model_path: str | None, as_json: bool) -> None:
    """Score a labelled JSONL file: per-label P/R/F1 overall and per language, red-line macro-F1."""
    from models.corpus import CorpusError, load_jsonl
    from models.evaluate import evaluate

    try:
        examples = load_jsonl(data_file, corpus=False)
    except CorpusError as exc:
        raise click.ClickException(f"{data_file}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{data_file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not examples:
        raise click.ClickException(f"{data_file}: no examples")
    metrics = evaluate(_load(model_path, app), examples)
    if as_json:
        echo_json(metrics)
    else:
        _print_metrics(metrics)


@model_group.command("card")
@click.option("--model", "model_path", default=None, help="Artifact file or directory (default: current model).")
@click.option("--refresh", is_flag=True,
              help="Re-measure the card (held-out split, evaluation sets, behaviour checks) without retraining.")
@click.option("--note", default="", help="With --refresh: why it is re-measured (stored in the card).")
@json_option
@pass_app
def card_cmd(app, model_path: str | None, refresh: bool, note: str, as_json: bool) -> None:
    """Show the model card of the current (or given) model; --refresh re-measures it first."""
    from models.redline import load_card, resolve_artifact

    settings = None if model_path else app.settings
    try:
        if refresh:
            from models.corpus import load_corpus
            from models.train import refresh_card

            if not note.strip():
                raise click.UsageError("--refresh needs --note saying why the card is re-measured")
            card = refresh_card(resolve_artifact(model_path, settings), load_corpus(), note=note)
        else:
            card = load_card(model_path, settings=settings)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(card)
        return
    click.echo(f"version: {card['version']}  created: {card['created_at']}")
    click.echo(f"train items: {card['data']['train_items']}  feedback: {card['data']['feedback_examples']}")
    if card.get("remeasured_at"):
        click.echo(f"re-measured: {card['remeasured_at']}  ({card.get('evaluation_note', '')})")
    echo_table(["label", "threshold"], card["thresholds"].items())
    _print_metrics(card.get("heldout_metrics"))


@click.command("classify")
@click.argument("text")
@click.option("--model", "model_path", default=None, help="Artifact file or directory (default: current model).")
@json_option
@pass_app
def classify_cmd(app, text: str, model_path: str | None, as_json: bool) -> None:
    """Classify TEXT: labels, probabilities and evidence."""
    from models.redline import HELD_BACK_NO_TERM, HELD_BACK_NO_WORKPLACE

    result = _load(model_path, app).classify(text, evidence="all")  # type: ignore[attr-defined]
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(f"model {result.version}; positive: {', '.join(result.positive) or '(none)'}"
               + ("  [input truncated]" if result.truncated else ""))
    rows = []
    for label, r in result.labels.items():
        ev = "; ".join(e["text"] for e in r.evidence[:3]) if r.decided or r.probability >= r.threshold / 2 else ""
        rows.append((label, f"{r.probability:.3f}", f"{r.threshold:.3f}", "YES" if r.decided else "", ev))
    echo_table(["label", "probability", "threshold", "decided", "evidence"], rows)
    why = {HELD_BACK_NO_TERM: "text in another language, read through the glossary, names no term for that "
                              "red line; for fire: no workplace, or a drill",
           HELD_BACK_NO_WORKPLACE: "the text names no workplace: a forest, house or vehicle fire is not the red line"}
    for reason, explanation in why.items():
        held_back = [label for label, r in result.labels.items() if r.held_back == reason]
        if held_back:
            click.echo(f"not decided: {', '.join(held_back)} ({explanation})")


def register(group: click.Group) -> None:
    """Add ``model`` and ``classify`` to the ``riskradar`` group."""
    group.add_command(model_group)
    group.add_command(classify_cmd)
