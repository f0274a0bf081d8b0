from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

from .services import verify

audit_cli = AppGroup("audit", help="The audit chain.")


@audit_cli.command("verify")
@click.option("--quiet", is_flag=True, help="Print only the result line.")
def verify_command(quiet: bool) -> None:
    """Recompute the audit chain; exit 1 and name the first broken entry if any."""
    started = time.perf_counter()

    def progress(n: int) -> None:
        if not quiet and n % 1_000_000 < 20_000:
            click.echo(f"  … {n:,} entries checked", err=True)

    result = verify(progress=progress)
    elapsed = time.perf_counter() - started
    if result.ok:
        click.echo(f"audit chain intact: {result.checked} entries verified in {elapsed:.1f} s")
        return
    click.echo(f"audit chain BROKEN at entry {result.broken_seq}: {result.reason} "
               f"({result.checked} entries verified before it)", err=True)
    sys.exit(1)
