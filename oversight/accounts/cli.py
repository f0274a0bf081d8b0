from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..db import commit
from ..errors import DomainError
from ..orgs.queries import get_by_code
from . import services
from .models import Role

users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Display name (姓名).")
@click.option("--organisation", "org_code", required=True, help="Organisation code.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.password_option()
def create_command(username, display_name, org_code, roles, password):
    """Create an account (the first system administrator is made this way)."""
    org = get_by_code(org_code)
    if org is None:
        click.echo(f"no organisation with code {org_code!r}", err=True)
        sys.exit(2)
    try:
        services.create_user(actor=None, username=username, display_name=display_name, organisation=org,
                             roles={Role(r) for r in roles}, password=password, must_change_password=False)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)
    commit()
    click.echo(f"created {username}")
