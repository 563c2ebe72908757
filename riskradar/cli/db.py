"""``riskradar init-db``: create or upgrade the database schema."""

from __future__ import annotations

import click

from riskradar.cli.common import AppContext, pass_app


@click.command("init-db")
@pass_app
def init_db(app: AppContext) -> None:
    """Create or upgrade the database to the latest schema (Alembic migrations)."""
    app.db.migrate()
    click.echo(f"database ready: {app.db.engine.url.render_as_string(hide_password=True)}")


def register(group: click.Group) -> None:
    group.add_command(init_db)
