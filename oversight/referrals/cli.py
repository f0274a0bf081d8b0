from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from ..db import commit
from .jobs import deadline_sweep

referrals_cli = AppGroup("referrals", help="Referrals.")


@referrals_cli.command("sweep")
def sweep_command() -> None:
    """Run the deadline sweep once now (the scheduler runs it daily at 06:30) and print the counts."""
    started = time.perf_counter()
    counts = deadline_sweep()
    commit()
    click.echo("deadline sweep: " + ", ".join(f"{k} {v}" for k, v in counts.items())
               + f" ({time.perf_counter() - started:.2f} s)")
