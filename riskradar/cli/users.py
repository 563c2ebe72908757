"""``riskradar users``: create users, list them, issue API tokens."""

from __future__ import annotations

import sys

import click

from riskradar.cli.common import AppContext, echo_json, echo_table, json_option, pass_app
from riskradar.domain.base import ROLES


@click.group("users")
def users_group() -> None:
    """Manage users, roles and API tokens."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="The user's role.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--email", default=None)
@pass_app
def create(app: AppContext, username: str, role: str, password_stdin: bool, language: str, email: str | None) -> None:
    """Create USERNAME with ROLE; prints a generated password when none is given."""
    from riskradar.services.users import create_user, generate_password

    generated = not password_stdin
    password = generate_password() if generated else sys.stdin.readline().rstrip("\r\n")
    with app.db.scope() as session:
        user = create_user(session, username, password, role, language=language, email=email)
        name = user.username
    click.echo(f"created user {name} (role {role})")
    if generated:
        click.echo(f"password: {password}")


@users_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@pass_app
def set_password_cmd(app: AppContext, username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME (prints a generated one when none is given); unlocks it."""
    from riskradar.services.users import generate_password, get_user, set_password

    generated = not password_stdin
    password = generate_password() if generated else sys.stdin.readline().rstrip("\r\n")
    with app.db.scope() as session:
        user = get_user(session, username)
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        set_password(session, user, password)
    click.echo(f"password changed for {username}")
    if generated:
        click.echo(f"password: {password}")


@users_group.command("list")
@json_option
@pass_app
def list_cmd(app: AppContext, as_json: bool) -> None:
    """List users with their roles."""
    from riskradar.services.users import list_users

    with app.db.scope() as session:
        rows = [{"id": u.id, "username": u.username, "role": u.role, "language": u.language,
                 "active": u.active, "last_login_at": u.last_login_at} for u in list_users(session)]
    if as_json:
        echo_json(rows)
    else:
        echo_table(["id", "username", "role", "language", "active", "last login"],
                   [[r["id"], r["username"], r["role"], r["language"], r["active"], r["last_login_at"]] for r in rows])


@users_group.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (e.g. 'erp-sync').")
@pass_app
def token(app: AppContext, username: str, name: str) -> None:
    """Create an API token for USERNAME and print it once (only its hash is stored)."""
    from riskradar.services.users import create_api_token, get_user

    with app.db.scope() as session:
        user = get_user(session, username)
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        text = create_api_token(session, user, name)
    click.echo(text)


def register(group: click.Group) -> None:
    """Add ``users`` to the ``riskradar`` group."""
    group.add_command(users_group)
