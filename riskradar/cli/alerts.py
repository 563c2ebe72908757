"""``riskradar alerts``: channels, listing and showing alerts, one detection or delivery pass."""

from __future__ import annotations

import click

from riskradar.cli.common import echo_json, echo_table, json_option, pass_app


def register(group: click.Group) -> None:
    """Add this module's commands to the ``riskradar`` group."""
    group.add_command(alerts)


@click.group()
def alerts() -> None:
    """Red-line alerts: channels, inbox, detection and delivery."""


@alerts.group()
def channels() -> None:
    """Delivery channels (email, webhook, WeCom, DingTalk, Feishu, Slack)."""


@channels.command("add")
@click.option("--kind", required=True, type=click.Choice(["webhook", "wecom", "dingtalk", "feishu", "slack", "email"]))
@click.option("--target", required=True, help="Webhook URL, or email address(es) separated by commas.")
@click.option("--secret", default=None, help="Signing secret (webhook HMAC, DingTalk 加签, Feishu 签名校验).")
@click.option("--language", default="zh", type=click.Choice(["zh", "en"]), show_default=True)
@click.option("--name", default=None)
@json_option
@pass_app
def channels_add(app, kind: str, target: str, secret: str | None, language: str, name: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Register a channel. With no subscriptions a channel receives every alert."""
    from riskradar.alerts import service

    try:
        with app.db.scope() as session:
            channel = service.add_channel(session, kind, target, name=name, secret=secret, language=language)
            data = service.channel_to_dict(channel)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(data)
    else:
        click.echo(f"added channel {data['id']} ({data['kind']} → {data['target']}, {data['language']})")


@channels.command("list")
@json_option
@pass_app
def channels_list(app, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """List channels (robot URL tokens are hidden)."""
    from riskradar.alerts import service

    with app.db.scope() as session:
        rows = [service.channel_to_dict(c) for c in service.list_channels(session)]
    if as_json:
        echo_json(rows)
        return
    echo_table(["id", "kind", "name", "target", "lang", "enabled", "secret", "failures"],
               [[r["id"], r["kind"], r["name"], r["target"], r["language"], r["enabled"],
                 "yes" if r["has_secret"] else "", r["consecutive_failures"]] for r in rows])


@channels.command("remove")
@click.argument("channel_id", type=int)
@pass_app
def channels_remove(app, channel_id: int) -> None:  # type: ignore[no-untyped-def]
    """Delete a channel, its subscriptions and its pending messages."""
    from riskradar.alerts import service

    with app.db.scope() as session:
        if not service.remove_channel(session, channel_id):
            raise click.ClickException(f"channel {channel_id} not found")
    click.echo(f"removed channel {channel_id}")


@alerts.command("list")
@click.option("--status", default=None, help="new, acknowledged, confirmed, dismissed or resolved.")
@click.option("--category", default=None)
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]), show_default=True)
@json_option
@pass_app
def alerts_list(app, status: str | None, category: str | None, limit: int, lang: str, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """List alerts, most recent evidence first."""
    from riskradar.alerts import service

    try:
        with app.db.scope() as session:
            rows, total = service.list_alerts(session, status=status, category=category, limit=limit)
            data = [service.alert_to_dict(session, a, app.settings, lang=lang, with_sources=False) for a in rows]
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json({"total": total, "alerts": data})
        return
    echo_table(["id", "status", "category", "supplier", "sources", "last seen"],
               [[d["id"], d["status_name"], d["category_name"], d["supplier_name"], d["source_count"],
                 str(d["last_seen_at"])[:16]] for d in data])
    click.echo(f"{len(data)} of {total}")


@alerts.command("show")
@click.argument("alert_id", type=int)
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]), show_default=True)
@json_option
@pass_app
def alerts_show(app, alert_id: int, lang: str, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """One alert with its sources, history and deliveries."""
    from riskradar.alerts import service

    try:
        with app.db.scope() as session:
            alert = service.get_alert(session, alert_id)
            data = service.alert_to_dict(session, alert, app.settings, lang=lang)
            data["history"] = service.alert_history(session, alert_id)
            data["deliveries"] = service.alert_deliveries(session, alert_id)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(data)
        return
    title = data["title_zh"] if lang == "zh" and data.get("title_zh") else data["title"]
    click.echo(f"#{data['id']} [{data['status_name']}] {title}")
    click.echo(f"{data['category_name']} · {data['supplier_name']} · {data['source_count']} sources · {data['url']}")
    for src in data["sources"]:
        click.echo(f"  - {src['kind']} {src['ref_id']}: {src['title'] or ''} {src['url'] or ''}")
    click.echo("history:")
    for ev in data["history"]:
        click.echo(f"  {str(ev['at'])[:19]} {ev['actor'] or '-'} {ev['action']} {ev['note'] or ''}")
    click.echo("deliveries:")
    for d in data["deliveries"]:
        click.echo(f"  {d['channel_kind']} #{d['channel_id']}: {d['status']} after {d['attempts']} attempt(s)"
                   + (f" — {d['last_error']}" if d["last_error"] else ""))


@alerts.command("detect")
@json_option
@pass_app
def alerts_detect(app, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Run the detection rules over new evidence once (no delivery)."""
    from riskradar.alerts import service

    totals = {"evidence": 0, "created": 0, "updated": 0, "duplicates": 0, "notifications": 0}
    created_ids: list[int] = []
    for _ in range(100):
        with app.db.scope() as session:
            created_ids += [a.id for a in service.detect_alerts(session, app.settings)]
            stats = session.info.pop("alerts_last_cycle", {})
        for key in totals:
            totals[key] += stats.get(key, 0)
        if not stats.get("more"):
            break
    totals["created_ids"] = created_ids
    if as_json:
        echo_json(totals)
    else:
        click.echo(f"evidence {totals['evidence']}, alerts created {totals['created']}, updated {totals['updated']}, "
                   f"duplicates {totals['duplicates']}, messages queued {totals['notifications']}")


@alerts.command("deliver")
@json_option
@pass_app
def alerts_deliver(app, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Send what is due in the outbox once (retries wait for their backoff)."""
    from riskradar.alerts import service
    from riskradar.alerts.outbox import outbox_counts

    counts = service.deliver_due(app.db, app.settings)
    with app.db.scope() as session:
        counts_by_status = outbox_counts(session)
    if as_json:
        echo_json({"pass": counts, "outbox": counts_by_status})
    else:
        click.echo(f"sent {counts['sent']}, retry later {counts['retry']}, dead {counts['dead']}; "
                   f"outbox: {', '.join(f'{k} {v}' for k, v in sorted(counts_by_status.items())) or 'empty'}")
