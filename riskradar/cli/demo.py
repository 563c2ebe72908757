"""``riskradar demo``: load the demo dataset (suppliers, audit files, news feeds, admin)."""

from __future__ import annotations

import click

from riskradar.cli.common import AppContext, echo_json, json_option, pass_app


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the registry already has suppliers.")
@click.option("--suppliers", "n_suppliers", default=2400, show_default=True, type=click.IntRange(10, 200_000),
              help="How many demo suppliers to generate.")
@click.option("--seed", default=7, show_default=True, type=int, help="Random seed (same seed, same data).")
@json_option
@pass_app
def demo_cmd(app: AppContext, if_empty: bool, n_suppliers: int, seed: int, as_json: bool) -> None:
    """Create the schema if needed and load a realistic demo dataset through the real importers."""
    from riskradar.demo.loader import load_demo
    from riskradar.services.suppliers import count_suppliers

    app.db.migrate()
    with app.db.scope() as session:
        existing = count_suppliers(session)
    if if_empty and existing:
        if as_json:
            echo_json({"loaded": False, "reason": "suppliers exist", "suppliers": existing})
        else:
            click.echo(f"demo data not loaded: the registry already has {existing} suppliers")
        return
    try:
        result = load_demo(app.db, app.settings, n_suppliers=n_suppliers, seed=seed)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json({"loaded": True, **result})
        return
    s = result["suppliers"]
    click.echo(f"suppliers: {s['created']} created, {s['updated']} updated, {s['unchanged']} unchanged, "
               f"{s['rejected']} rejected (batch {s['batch_id']})")
    for key in ("inbox", "feeds"):
        if key in result:
            value = result[key]
            brief = {k: (len(v) if isinstance(v, (list, dict)) else v) for k, v in value.items()} \
                if isinstance(value, dict) else value
            click.echo(f"{key}: {brief}")
    for step in result["skipped"]:
        click.echo(f"skipped (not installed): {step}")
    for step, message in result["errors"].items():
        click.echo(f"warning: demo step {step} failed: {message}", err=True)
    admin = result.get("admin")
    if admin:
        click.echo("")
        click.echo(f"first admin account -- username: {admin['username']}  password: {admin['password']}")
        click.echo("(shown once; change it after logging in)")


def register(group: click.Group) -> None:
    """Add ``demo`` to ``riskradar``."""
    group.add_command(demo_cmd)
