"""``riskradar suppliers list``: browse the supplier registry."""

from __future__ import annotations

import click

from riskradar.cli.common import AppContext, echo_json, echo_table, json_option, pass_app


@click.group("suppliers")
def suppliers_group() -> None:
    """The supplier registry."""


@suppliers_group.command("list")
@click.option("--country", help="ISO code or name (CN, China, 中国).")
@click.option("--tier", help="Risk tier (low, medium, high, red_line) or tier level (1, 2).")
@click.option("--industry", help="Industry, exact match (case-insensitive).")
@click.option("--region", help="Province / region, exact match.")
@click.option("--q", "query", help="Search reference, names, short name and aliases.")
@click.option("--status", type=click.Choice(["prospect", "onboarding", "active", "suspended", "exited"]))
@click.option("--sort", default="name", show_default=True,
              type=click.Choice(["name", "ref", "spend", "risk", "country", "updated"]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--offset", default=0, type=click.IntRange(0))
@json_option
@pass_app
def list_cmd(app: AppContext, country: str | None, tier: str | None, industry: str | None, region: str | None,
             query: str | None, status: str | None, sort: str, limit: int, offset: int, as_json: bool) -> None:
    """List suppliers matching the filters."""
    from riskradar.services.suppliers import list_suppliers, supplier_summary

    with app.db.scope() as session:
        try:
            items, total = list_suppliers(session, country=country, tier=tier, industry=industry, region=region,
                                          q=query, status=status, sort=sort, limit=limit, offset=offset)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        rows = [supplier_summary(s) for s in items]
    if as_json:
        echo_json({"total": total, "limit": limit, "offset": offset, "suppliers": rows})
        return
    echo_table(
        ["ref", "name", "country", "region", "industry", "tier", "criticality", "spend", "risk"],
        [(r["external_ref"], r["name_zh"] or r["name_en"], r["country"], r["region"], r["industry"],
          r["tier_level"], r["criticality"],
          f"{r['annual_spend']:,.0f} {r['currency'] or ''}".strip() if r["annual_spend"] is not None else "",
          r["risk_tier"] or "") for r in rows],
    )
    click.echo(f"{len(rows)} of {total} suppliers")


def register(group: click.Group) -> None:
    """Add the ``suppliers`` group to ``riskradar``."""
    group.add_command(suppliers_group)
