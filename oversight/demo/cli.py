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
from .scale import generate as scale
from .scale.profiles import PROFILES

demo_cli = AppGroup("demo", help="Demo data.")

# Demo loaders of the packages built on `oversight`, by import path (oversight never imports them):
# each returns how many records it made (0 when its demo data exists already) and flushes.
DEMO_LOADERS = [("topics", "issues.demo:load_topics"), ("rectification sweep", "issues.jobs:rectification_sweep"),
                ("liaison meetings", "liaison.demo:load_liaison"), ("clues", "oversight.clues.demo:load_clues"),
                ("publications", "reports.publications.demo:load_publications"),
                # after the publications: the campaigns evaluate published items
                ("evaluation campaigns", "reports.evaluation.demo:load_evaluation"),
                # last: the models screen everything loaded above
                ("supervision alerts", "oversight.supervision.demo:load_alerts")]


def _accounts() -> list[dict]:
    return [{"role": role.value, "username": username, "password": data.DEMO_PASSWORD}
            for role, username, _name, _org in data.ACCOUNTS]


def load_people() -> tuple[int, int]:
    """The demo municipality's organisations, pairings and accounts; those present are left alone."""
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
    return created_orgs, created_users


@demo_cli.command("load")
def load_command():
    """Build the demo municipality, one account per role and a few hundred referrals. Safe to run again."""
    created_orgs, created_users = load_people()
    started = time.perf_counter()
    created_referrals = load_referrals()
    loaded = time.perf_counter() - started
    if created_referrals:
        # What the 06:30 job would have done by now: 临期/逾期 reminders in the inboxes.
        started = time.perf_counter()
        counts = deadline_sweep()
        swept = time.perf_counter() - started
    extra = []
    for label, target in DEMO_LOADERS:
        import importlib

        module, _, attr = target.partition(":")
        extra.append(f"{label}: {getattr(importlib.import_module(module), attr)()}")
    commit()
    click.echo(f"demo data ready: {created_orgs} organisations and {created_users} accounts created")
    if created_referrals:
        click.echo(f"demo referrals: {created_referrals} created in {loaded:.1f} s; deadline sweep in {swept:.2f} s: "
                   + ", ".join(f"{k} {v}" for k, v in counts.items()))
    else:
        click.echo("demo referrals: already present, none added")
    click.echo("demo extras: " + "; ".join(extra))
    click.echo("demo accounts (password for all: %s):" % data.DEMO_PASSWORD)
    for account in _accounts():
        click.echo(f"  {account['role']:<24} {account['username']}")


@demo_cli.command("accounts")
def accounts_command():
    """Print the demo accounts as JSON: [{"role", "username", "password"}, …]."""
    click.echo(json.dumps(_accounts(), ensure_ascii=False, indent=2))


@demo_cli.command("scale")
@click.option("--profile", "profile_name", type=click.Choice(sorted(PROFILES)), default="small", show_default=True)
@click.option("--seed", type=int, default=data.REFERRAL_SEED, show_default=True)
def scale_command(profile_name: str, seed: int):
    """Years of a municipality's work in bulk (small ≈ 2k referrals, county 20k, municipality 200k).

    Deterministic for a seed; resumes after an interruption; does nothing once complete."""
    load_people()
    commit()
    try:
        ctx = scale.run(PROFILES[profile_name], seed, click.echo, commit)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"profile": profile_name, "seed": seed, **ctx.counts}))
