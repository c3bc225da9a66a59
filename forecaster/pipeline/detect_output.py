"""``forecast detect-anomalies`` end to end: score, write the table or its events, draw."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecaster.anomaly.settings import DetectSettings
from forecaster.bundle_json import recorded_data
from forecaster.io import output_stream, render, write_output, write_parts
from forecaster.output_paths import check_output_paths, plot_format
from forecaster.pipeline.detecting import DetectionRun
from forecaster.report import Reporter


@dataclass
class DetectOutput:
    """Where and how a detection run's results go.

    Attributes:
        fmt: "csv" or "json".
        events: one row per event instead of one per step.
        output: the file to replace atomically; None for stdout.
        plot: an image of the series, events and scores; None for none.
    """

    fmt: str = "csv"
    events: bool = False
    output: Path | None = None
    plot: Path | None = None


def detect_and_write(ds: DetectSettings, out: DetectOutput, report: Reporter) -> DetectionRun:
    """Score every series, write the table (or its events) and the plot if asked.

    The output paths are checked before any scoring, so a bad ``--plot`` cannot fail after
    the table was written. The per-step table is written series by series (memory grows
    with one series, not the file); events are tallied and written at the end.

    Args:
        ds: what to score and how.
        out: where the table (or events) and the plot go.
        report: where messages go; the run ends with a one-line summary there.

    Returns:
        The finished run: its ``events()``, ``flagged`` steps, ``rule`` and ``threshold``.
    """
    check_output_paths({"--output": out.output, "--plot": out.plot},
                       [ds.data] if ds.data else recorded_data(ds.model_dir), [ds.model_dir],
                       bundle=ds.model_dir)
    if out.plot is not None:
        plot_format(out.plot)
    run = DetectionRun(ds, report)
    drawn: list[pd.DataFrame] = []
    tables = _tables(run, drawn, out.plot is not None)
    if out.events:
        for _ in tables:
            pass
        write_output(render(run.for_output(run.events()), out.fmt), out.output)
    else:
        with output_stream(out.output) as fh:
            write_parts(fh, map(run.for_output, tables), out.fmt)
    if out.plot is not None:
        from forecaster.plotting import plot_detection

        plot_detection(pd.concat(drawn, ignore_index=True), run.events(), out.plot)
    # "flagged", not "above the threshold": a stuck reading is flagged whatever threshold
    # the rule picked on these rows, and may score under it.
    report.note(f"{len(run.events())} anomalous event(s), {run.flagged} flagged step(s); "
                f"{run.rule} threshold {run.threshold:.3g}")
    return run


def _tables(run: DetectionRun, drawn: list[pd.DataFrame], plot: bool) -> Iterator[pd.DataFrame]:
    """Each series' table; the first ones the plot draws are kept in ``drawn``, no more."""
    from forecaster.plotting import MAX_SERIES

    limit = MAX_SERIES if plot else 0
    for part in run.parts():
        if len(drawn) < limit:
            drawn.append(part.table)
        yield part.table
