"""``riskradar score``, ``riskradar supplier show REF`` and ``riskradar check --name ...``."""

from __future__ import annotations

import time
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from riskradar.cli.common import AppContext, echo_json, echo_table, json_option, pass_app
from riskradar.domain import Supplier


def _find_supplier(session: Session, ref: str) -> Supplier | None:
    """By external reference or id (the registry's lookup when available)."""
    try:
        from riskradar.services.suppliers import get_supplier  # helper "registry"
    except ImportError:
        get_supplier = None  # type: ignore[assignment]
    if get_supplier is not None:
        found = get_supplier(session, ref)
        if found is not None:
            return found
    sup = session.scalars(select(Supplier).where(Supplier.external_ref == ref)).first()
    if sup is None and ref.isdigit():
        sup = session.get(Supplier, int(ref))
    return sup


@click.command("score")
@click.option("--full", is_flag=True, help="Re-score every supplier (default: only those flagged for re-scoring).")
@json_option
@pass_app
def score_cmd(app: AppContext, full: bool, as_json: bool) -> None:
    """Score suppliers, store risk snapshots and update tiers."""
    from riskradar.scoring.service import run_summary, score_suppliers, tier_changes, tier_counts

    started = time.perf_counter()
    with app.db.scope() as session:
        try:
            run = score_suppliers(session, app.settings, full=full)
        except ValueError as exc:  # a malformed reference table
            raise click.ClickException(str(exc)) from exc
        summary = run_summary(run)
        summary["seconds"] = round(time.perf_counter() - started, 3)
        summary["tiers"] = tier_counts(session)
        changes = tier_changes(session, limit=20, run_id=run.id)
    if as_json:
        summary["changes"] = changes
        echo_json(summary)
        return
    click.echo(f"scored {summary['suppliers_scored']} supplier(s) ({'full' if full else 'incremental'}) in "
               f"{summary['seconds']} s; {summary['tier_changes']} tier change(s)")
    echo_table(["tier", "suppliers"], sorted(summary["tiers"].items()))
    if changes:
        click.echo("")
        echo_table(["supplier", "from", "to", "because"],
                   [(c["external_ref"], c["from_tier"], c["to_tier"], c["because_en"][:100]) for c in changes])


def _show(app: AppContext, ref: str, as_json: bool, lang: str) -> None:
    from riskradar.scoring.service import supplier_risk

    with app.db.scope() as session:
        sup = _find_supplier(session, ref)
        if sup is None:
            raise click.ClickException(f"no supplier {ref!r} (give its reference or id)")
        data = supplier_risk(session, sup, settings=app.settings)
    if as_json:
        echo_json(data)
        return
    s, tier, cur = data["supplier"], data["tier"], data["current"]
    zh = lang == "zh"
    click.echo(f"{s['external_ref']}  {s['name_zh'] or ''}  {s['name_en'] or ''}  [{s['country']}] {s['industry'] or ''}")
    latest = data["latest"]
    score = latest["score"] if latest else cur["score"]
    click.echo(f"tier: {tier['name_zh'] if zh else tier['name_en']} ({tier['tier']})   score {score:.1f}   "
               f"likelihood {cur['likelihood']:.1f} (band {cur['likelihood_band']})   impact {cur['impact']:.1f} (band {cur['impact_band']})")
    if latest is None:
        click.echo("(not scored yet: figures below are computed now)")
    click.echo("required actions:")
    for a in tier["actions_zh" if zh else "actions_en"]:
        click.echo(f"  - {a}")
    click.echo("")
    echo_table(["category", "likelihood", "inherent", "audit", "news", "agreement", "coverage", "sme"],
               [(c, f"{b['likelihood']:.1f}", b["inherent"], b["audit"], b["news"], b["agreement"], b["coverage"], b["sme"])
                for c, b in cur["breakdown"].items()])
    click.echo("\nreasons:")
    for r in data["reasons"]:
        click.echo(f"  - {r['zh'] if zh else r['en']}")
    click.echo("")
    ag = data["agreement"]
    click.echo("agreement: " + ("none on file" if ag is None else
                                f"{ag['status']}, version {ag['version']} (missing clauses: {', '.join(ag['missing_clauses']) or 'none'})"))
    click.echo(f"audits: {len(data['audits'])} shown; open findings: "
               f"{sum(f['count'] for f in data['open_findings'])}; overdue corrective actions: {data['overdue_corrective_actions']}")
    if data["audits"]:
        echo_table(["date", "scheme", "result", "grade", "score"],
                   [(a["audit_date"], a["scheme"], a["result"], a["grade"], a["score"]) for a in data["audits"]])
    if data["history"]:
        click.echo("\nhistory:")
        echo_table(["computed", "tier", "score", "change"],
                   [(h["computed_at"].strftime("%Y-%m-%d %H:%M"), h["tier"], f"{h['score']:.1f}",
                     (h.get("change_zh" if zh else "change_en") or "")[:90]) for h in data["history"]])


@click.command("show")
@click.argument("ref")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@json_option
@pass_app
def show_cmd(app: AppContext, ref: str, lang: str, as_json: bool) -> None:
    """Tier and required actions, score breakdown, reasons, history, audits and agreement of a supplier."""
    _show(app, ref, as_json, lang)


@click.command("check")
@click.option("--name", required=True, help="Vendor name, Chinese or English.")
@click.option("--country", default=None, help="ISO country code or name.")
@click.option("--industry", default=None, help="Industry (e.g. electronics, 服装).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@json_option
@pass_app
def check_cmd(app: AppContext, name: str, country: str | None, industry: str | None, lang: str, as_json: bool) -> None:
    """Onboarding check: approve, conditional (with named conditions) or reject, with reasons."""
    from riskradar.scoring.onboarding import check_vendor

    with app.db.scope() as session:
        try:
            result = check_vendor(session, app.settings, name=name, country=country, industry=industry)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(result)
        return
    key = "zh" if lang == "zh" else "en"
    click.echo(f"decision: {result['decision'].upper()}")
    click.echo("reasons:")
    for r in result["reasons"]:
        click.echo(f"  - {r[key]}")
    if result["conditions"]:
        click.echo("conditions:")
        for c in result["conditions"]:
            click.echo(f"  - [{c['code']}] {c[key]}")
    if result["matches"]:
        click.echo("")
        echo_table(["ref", "name", "country", "match", "risk score", "tier"],
                   [(m["external_ref"], m["name_zh"] or m["name_en"], m["country"], m["match_score"],
                     "" if m["risk_score"] is None else f"{m['risk_score']:.1f}", m["risk_tier"] or "")
                    for m in result["matches"]])


def register(group: click.Group) -> None:
    """Add ``score``, ``check`` and ``supplier show`` (joining a ``supplier`` group if one exists)."""
    group.add_command(score_cmd)
    group.add_command(check_cmd)
    existing: Any = group.commands.get("supplier")
    if isinstance(existing, click.Group):
        if "show" not in existing.commands:
            existing.add_command(show_cmd)
        return

    @click.group("supplier")
    def supplier_group() -> None:
        """One supplier's risk (see also ``riskradar suppliers``)."""

    supplier_group.add_command(show_cmd)
    group.add_command(supplier_group)
