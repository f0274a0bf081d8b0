from __future__ import annotations

import json
import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..accounts import services as account_services
from ..accounts.models import Role, User
from ..db import commit, db
from ..orgs import services as org_services
from ..orgs.queries import get_by_code
from ..referrals.jobs import deadline_sweep
from . import data
from .referrals import load_referrals

demo_cli = AppGroup("demo", help="Demo data.")


def _accounts() -> list[dict]:
    return [{"role": role.value, "username": username, "password": data.DEMO_PASSWORD}
            for role, username, _name, _org in data.ACCOUNTS]


@demo_cli.command("load")
def load_command():
    """Build the demo municipality, one account per role and a few hundred referrals. Safe to run again."""
    created_orgs = 0
    for code, name, kind, level, parent_code, prefix in data.organisations():
        if get_by_code(code) is None:
            org_services.create_organisation(actor=None, code=code, name=name, kind=kind, level=level,
                                             parent=get_by_code(parent_code) if parent_code else None,
                                             serial_prefix=prefix)
            created_orgs += 1
    for committee, procuratorate in data.pairings():
        c, p = get_by_code(committee), get_by_code(procuratorate)
        if c.paired_procuratorate_id != p.id:
            org_services.set_pairing(c, actor=None, procuratorate=p)
    created_users = 0
    people = [(r, u, n, o, None) for r, u, n, o in data.ACCOUNTS + data.EXTRA_STAFF]
    stations = [code for code, _n, kind, *_ in data.organisations() if kind.value == "liaison_station"]
    for index, name in enumerate(data.DEPUTY_NAMES[1:], start=1):
        station = stations[index % len(stations)]
        people.append((Role.DEPUTY, f"deputy{index:02d}", name, station, None))
    for role, username, name, org_code, _ in people:
        if db.session.scalar(sa.select(User.id).where(User.username == username)):
            continue
        org = get_by_code(org_code)
        deputy = None
        if role is Role.DEPUTY:
            district = org_code.split("-")[2]
            district_name = next(n for c, n, *_ in data.DISTRICTS if c == district)
            deputy = account_services.DeputyInfo(f"{district_name}代表团", "第六届", org)
        account_services.create_user(actor=None, username=username, display_name=name, organisation=org,
                                     roles={role}, password=data.DEMO_PASSWORD, deputy=deputy,
                                     must_change_password=False)
        created_users += 1
    db.session.flush()
    started = time.perf_counter()
    created_referrals = load_referrals()
    created_meetings = _load_by_name("liaison.demo:load_liaison")
    loaded = time.perf_counter() - started
    if created_referrals:
        # What the 06:30 job would have done by now: 临期/逾期 reminders in the inboxes.
        started = time.perf_counter()
        counts = deadline_sweep()
        swept = time.perf_counter() - started
    commit()
    click.echo(f"demo data ready: {created_orgs} organisations and {created_users} accounts created")
    if created_referrals:
        click.echo(f"demo referrals: {created_referrals} created in {loaded:.1f} s; deadline sweep in {swept:.2f} s: "
                   + ", ".join(f"{k} {v}" for k, v in counts.items()))
    else:
        click.echo("demo referrals: already present, none added")
    click.echo(f"demo liaison meetings: {created_meetings} created" if created_meetings
               else "demo liaison meetings: already present, none added")
    click.echo("demo accounts (password for all: %s):" % data.DEMO_PASSWORD)
    for account in _accounts():
        click.echo(f"  {account['role']:<24} {account['username']}")


def _load_by_name(target: str) -> int:
    """Run a demo loader of a package built on `oversight` (by name: oversight never imports them)."""
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)()


@demo_cli.command("accounts")
def accounts_command():
    """Print the demo accounts as JSON: [{"role", "username", "password"}, …]."""
    click.echo(json.dumps(_accounts(), ensure_ascii=False, indent=2))
