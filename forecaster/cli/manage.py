"""``forecast info`` and ``forecast rollback``: look at and manage a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecaster.cli.choices import check_choice
from forecaster.cli.common import (
    Debug,
    ModelDir,
    Quiet,
    Wait,
    app,
    errors_to_exit,
    make_reporter,
)
from forecaster.config import DEFAULT_MODEL_DIR
from forecaster.limits import INFO_FORMATS


@app.command()
def info(
    ctx: typer.Context,
    model: ModelDir = Path(DEFAULT_MODEL_DIR),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    debug: Debug = False,
) -> None:
    """Show what a model bundle holds: data, columns, frequency, training period, fold
    metrics, anomaly threshold, settings and where each came from, versions."""
    with errors_to_exit(debug, ctx):
        make_reporter(ctx)  # says the configuration's warnings (info has no other message)
        fmt = check_choice("--format", fmt, INFO_FORMATS)
        from forecaster.bundle import load_bundle
        from forecaster.io import write_stdout
        from forecaster.pipeline.describe import describe, render_info

        summary = describe(load_bundle(model))
        if fmt == "json":
            import json

            write_stdout(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        else:
            write_stdout(render_info(summary))


@app.command()
def rollback(
    ctx: typer.Context,
    model: ModelDir = Path(DEFAULT_MODEL_DIR),
    wait: Wait = 0.0,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Go back to the version in use before the current one: undo the last train (run
    again to go further back; train keeps the last --keep)."""
    with errors_to_exit(debug, ctx):
        from forecaster.ops.rollback import rollback as run_rollback

        left, now = run_rollback(model, wait)
        make_reporter(ctx, quiet).note(f"{model}: rolled back from {left} to {now}")
