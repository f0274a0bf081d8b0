"""`flask models …`: list, run one model or all for a period, export and import model packages."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..db import commit, db
from ..errors import ValidationFailed
from . import runs, services, sharing
from .models import SupervisionModel

models_cli = AppGroup("models", help="Supervision models: run, export, import.")


def _model(key: str) -> SupervisionModel:
    model = db.session.scalar(db.select(SupervisionModel).where(SupervisionModel.key == key))
    if model is None:
        raise click.ClickException(f"没有标识为“{key}”的模型。")
    return model


def _echo(run) -> None:
    line = f"{run.model.key} {run.period_key}: {run.status} hits={run.hits} new_alerts={run.new_alerts}"
    if run.seconds is not None:
        line += f" ({run.seconds:.2f} s)"
    if run.error:
        line += f" error: {run.error}"
    click.echo(line)


@models_cli.command("list")
def list_command() -> None:
    """Every model with its state, parameters and schedule (creates rows for new built-ins, disabled)."""
    services.ensure_builtins()
    commit()
    for m in db.session.scalars(db.select(SupervisionModel).order_by(SupervisionModel.key)):
        state = "enabled" if m.enabled else ("unreviewed" if not m.reviewed else "disabled")
        click.echo(f"{m.key:32} {state:10} {m.cron:14} {m.params}")


@models_cli.command("run")
@click.argument("model_key")
@click.argument("period")
def run_command(model_key: str, period: str) -> None:
    """Run MODEL_KEY for PERIOD (2026-11-30 or 2026-11); `all` runs every enabled model."""
    services.ensure_builtins()
    commit()
    try:
        if model_key == "all":
            done = runs.run_all(period, trigger="cli")
        else:
            done = [runs.run_model(_model(model_key), period, trigger="cli")]
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    for run in done:
        _echo(run)
    if any(r.status == "failed" for r in done):
        sys.exit(1)


@models_cli.command("enable")
@click.argument("model_keys", nargs=-1)
def enable_command(model_keys) -> None:
    """Enable the named models (all reviewed ones if none named)."""
    services.ensure_builtins()
    models = [_model(k) for k in model_keys] if model_keys else list(
        db.session.scalars(db.select(SupervisionModel).where(SupervisionModel.reviewed)))
    try:
        for m in models:
            services.set_enabled(m, actor=None, enabled=True)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    commit()
    click.echo("enabled: " + ", ".join(m.key for m in models))


@models_cli.command("export")
@click.argument("model_key")
@click.option("--out", "-o", type=click.Path(dir_okay=False, writable=True), help="file (default: stdout)")
def export_command(model_key: str, out: str | None) -> None:
    """Write MODEL_KEY's definition and parameters as a versioned JSON package."""
    text = sharing.dumps(sharing.export_package(_model(model_key)))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        click.echo(f"exported {model_key} to {out}")
    else:
        click.echo(text)


@models_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Import a model package: created or updated, disabled until an administrator reviews it."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        model = sharing.import_package(sharing.parse(raw), actor=None)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    commit()
    click.echo(f"imported {model.key} (disabled, awaiting review)")
