"""`flask reports …`: produce due and queued reports now, or one report for one period."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from oversight.db import commit
from oversight.errors import DomainError

reports_cli = AppGroup("reports", help="Statistical reports.")


@reports_cli.command("dispatch")
def dispatch_command() -> None:
    """Do what the scheduler's minute job does: queue cron fires, produce queued and crashed runs."""
    from .runs import dispatch

    click.echo(dispatch())


@reports_cli.command("run")
@click.argument("report")
@click.argument("period")
@click.argument("organisation")
def run_command(report: str, period: str, organisation: str) -> None:
    """Produce REPORT (weekly_digest, monthly, quarterly, annual) for PERIOD (2026-W48, 2026-11, 2026-Q4, 2026)
    over ORGANISATION (the code of a standing committee or procuratorate) and the institutions below it."""
    import sqlalchemy as sa

    from oversight.db import db
    from oversight.orgs.models import Organisation
    from oversight.orgs.permissions import SUPERVISING_KINDS

    from . import definitions
    from .runs import execute
    from .services import queue_run
    from .statistics import Period

    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == organisation))
    if org is None or org.kind not in SUPERVISING_KINDS:
        raise click.ClickException(f"no standing committee or procuratorate with code {organisation!r}")
    try:
        definition = definitions.get(report)
        run = queue_run(definition.key, Period.parse(definition.kind, period), org, trigger="manual")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    commit()
    produced = execute(run.id)
    click.echo(f"run {run.id}: {'produced' if produced else 'not produced here (done or held by another run)'}")
