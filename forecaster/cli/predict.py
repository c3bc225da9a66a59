"""``forecast predict``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecaster.cli.choices import check_choice
from forecaster.cli.common import (
    Debug,
    Format,
    MaxAge,
    ModelDir,
    Output,
    Quiet,
    Strict,
    Verbose,
    app,
    errors_to_exit,
    file_path,
    make_reporter,
)
from forecaster.cli.outputs import output_format, refuse_config
from forecaster.config import DEFAULT_MODEL_DIR, PredictSettings
from forecaster.limits import FORMATS, LEVEL


@app.command()
def predict(
    ctx: typer.Context,
    model: ModelDir = Path(DEFAULT_MODEL_DIR),
    data: Annotated[Path | None, typer.Option(readable=False, parser=file_path, metavar="<path>",
        help="Forecast from this CSV (same columns) instead of the training file.")] = None,
    level: Annotated[float, typer.Option(min=LEVEL[0], max=LEVEL[1],
                                         help="Prediction interval level, percent.")] = 90.0,
    horizon: Annotated[int | None, typer.Option(min=1,
        help="Forecast only the first N steps (at most the horizon set at training).")] = None,
    output: Output = None,
    fmt: Format = "csv",
    strict: Strict = False,
    max_age: MaxAge = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Forecast the next steps after the newest rows, with prediction intervals.

    Reads the training CSV again (so rows appended since training are used) unless
    --data is given. Prints CSV: series, timestamp, target, forecast, lower, upper.
    """
    with errors_to_exit(debug, ctx):
        fmt = output_format(ctx, check_choice("--format", fmt, FORMATS), output)
        refuse_config(ctx, {"--output": output})
        st = PredictSettings(model_dir=model, data=data, level=level, strict=strict,
                             horizon=horizon, max_age=max_age)
        from forecaster.bundle_json import recorded_data
        from forecaster.io import render, write_output
        from forecaster.output_paths import check_output_path
        from forecaster.pipeline.predicting import predict as run_predict

        if output is not None:
            check_output_path(output, [data] if data else recorded_data(model), [model],
                              bundle=model)
        table = run_predict(st, make_reporter(ctx, quiet, verbose))
        write_output(render(table, fmt), output)
