"""``riskradar feeds``: register, list, remove and enable news feeds; sync per-supplier search feeds."""

from __future__ import annotations

import click

from riskradar.cli.common import AppContext, echo_json, echo_table, json_option, pass_app
from riskradar.services import feeds as feed_service


@click.group("feeds")
def feeds_group() -> None:
    """News feed registry (RSS/Atom URLs polled by the scheduler)."""


@feeds_group.command("add")
@click.argument("url")
@click.option("--name", help="Display name (default: the host).")
@click.option("--lang", help="Language code of the feed, e.g. zh or en (default: detected per article).")
@click.option("--credibility", type=float, default=0.7, show_default=True, help="Source credibility weight, 0..1.")
@click.option("--interval", "interval", type=int, default=None, help="Poll interval in minutes (default from config).")
@json_option
@pass_app
def add(app: AppContext, url: str, name: str | None, lang: str | None, credibility: float, interval: int | None,
        as_json: bool) -> None:
    """Register the feed at URL (polled at the next scheduler run)."""
    with app.db.scope() as session:
        feed = feed_service.add_feed(session, url, name=name, lang=lang, credibility=credibility,
                                     poll_interval_minutes=interval, settings=app.settings)
        data = feed_service.feed_as_dict(feed)
    if as_json:
        echo_json(data)
    else:
        click.echo(f"added feed {data['id']}: {data['url']}")


@feeds_group.command("list")
@json_option
@pass_app
def list_cmd(app: AppContext, as_json: bool) -> None:
    """List registered feeds with their polling state."""
    with app.db.scope() as session:
        rows = [feed_service.feed_as_dict(f) for f in feed_service.list_feeds(session)]
    if as_json:
        echo_json({"feeds": rows, "count": len(rows)})
        return
    echo_table(
        ["id", "name", "lang", "kind", "cred", "every", "enabled", "last success", "failures", "last error"],
        [[r["id"], r["name"], r["lang"] or "", r["kind"], f"{r['credibility']:.2f}", f"{r['poll_interval_minutes']}m",
          "yes" if r["enabled"] else "no",
          r["last_success_at"].strftime("%Y-%m-%d %H:%M") if r["last_success_at"] else "",
          r["consecutive_failures"], (r["last_error"] or "")[:60]] for r in rows],
    )


@feeds_group.command("remove")
@click.argument("feed")
@pass_app
def remove(app: AppContext, feed: str) -> None:
    """Remove a feed by id or URL (its stored articles are kept)."""
    with app.db.scope() as session:
        removed = feed_service.remove_feed(session, feed)
    if not removed:
        raise click.ClickException(f"no such feed: {feed}")
    click.echo(f"removed feed {feed}")


def _set_enabled(app: AppContext, feed: str, enabled: bool) -> None:
    with app.db.scope() as session:
        feed_service.set_enabled(session, feed, enabled)
    click.echo(f"{'enabled' if enabled else 'disabled'} feed {feed}")


@feeds_group.command("enable")
@click.argument("feed")
@pass_app
def enable(app: AppContext, feed: str) -> None:
    """Enable a feed (by id or URL) and make it due now."""
    _set_enabled(app, feed, True)


@feeds_group.command("disable")
@click.argument("feed")
@pass_app
def disable(app: AppContext, feed: str) -> None:
    """Disable a feed (by id or URL); it is no longer polled."""
    _set_enabled(app, feed, False)


@feeds_group.command("sync-search")
@json_option
@pass_app
def sync_search(app: AppContext, as_json: bool) -> None:
    """Create per-supplier search feeds from RISKRADAR_SUPPLIER_SEARCH_FEED_TEMPLATE ({query})."""
    if "{query}" not in (app.settings.supplier_search_feed_template or ""):
        raise click.ClickException("set supplier_search_feed_template (RISKRADAR_SUPPLIER_SEARCH_FEED_TEMPLATE) "
                                   "to a URL containing {query} first")
    with app.db.scope() as session:
        counts = feed_service.sync_supplier_search_feeds(session, app.settings)
    if as_json:
        echo_json(counts)
    else:
        click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


def register(group: click.Group) -> None:
    """Add this module's commands to the ``riskradar`` group."""
    group.add_command(feeds_group)
