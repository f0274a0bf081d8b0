from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..db import commit, db

orgs_cli = AppGroup("orgs", help="Organisations.")


@orgs_cli.command("import")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(sheet: Path):
    """Import organisations from an XLSX or CSV sheet; nothing is saved if any row is wrong."""
    from .imports import import_organisations, read_sheet

    report = import_organisations(read_sheet(sheet.name, sheet.read_bytes()), actor=None)
    if not report.ok:
        db.session.rollback()
        for problem in report.errors:
            click.echo(f"row {problem.row}: {problem.message}", err=True)
        sys.exit(1)
    commit()
    click.echo(f"imported {report.created} organisations")
