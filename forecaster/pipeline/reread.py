"""Reading a model's data again, with the layout its bundle recorded at training."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from forecaster.access import look
from forecaster.bundle import Bundle
from forecaster.data.freq_steps import grid_word, step_word
from forecaster.data.grid import same_step
from forecaster.data.grid_checks import OffGridError
from forecaster.data.loading import Frame, load_frame
from forecaster.data.month_days import to_step
from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import is_step_freq, time_text
from forecaster.errors import (
    BundleError,
    ConfigError,
    DataError,
    MissingInputError,
    TrainOptionError,
)
from forecaster.pipeline.offset_change import check_offsets
from forecaster.report import Reporter

# What to do when this account may not reach the training CSV the bundle recorded.
_RECORDED = ("that is the training CSV the bundle recorded: make it and its folders readable "
             "to this account, or give the data with --data FILE")


def load_data_for(bundle: Bundle, data: Path | None,
                  report: Reporter | None = None) -> tuple[Frame, Path]:
    """Read the recorded training CSV again (or ``data``) with the bundle's layout; its
    notes (rows sorted, dropped off the grid, values filled) go to ``report``."""
    meta = bundle.meta["data"]
    if data is None and not meta.get("path"):  # a bundle edited by hand (KeyError, 70)
        raise BundleError("the bundle records no training CSV (no 'data.path'); give the "
                          "data with --data FILE, or retrain with 'forecast train'")
    path = Path(data) if data is not None else Path(meta["path"])
    if data is None and look(path, MissingInputError, _RECORDED, follow=False) is None:
        # Not a path the user typed: say where it came from and what to do instead.
        raise MissingInputError(f"{path}: the training CSV the bundle recorded is gone "
                                "(moved or deleted); give the data with --data FILE, or "
                                "retrain with 'forecast train FILE'")
    try:
        spec = DataSpec.from_dict(meta["spec"])
    except ConfigError as exc:  # a hand edit the schema does not cover: damaged, not usage
        raise BundleError(f"{bundle.path}: bundle metadata 'data.spec': {exc}; the bundle "
                          "is damaged: retrain with 'forecast train'") from None
    try:
        frame = _read(path, spec, meta["freq"])
    except OffGridError as exc:  # its --freq and --resample are options of train
        raise DataError(f"{exc} when you retrain ('forecast train {path}'): the other "
                        "commands read the data as the model was trained") from None
    except TrainOptionError as exc:  # "give --series-col": predict has no such option
        raise DataError(exc.reading) from None
    if not same_step(frame.freq, meta["freq"]):
        raise DataError(f"{path}: data has {_step_words(frame.freq)}, the model was trained "
                        f"on {_step_words(meta['freq'])}; give data at the model's step, or "
                        "retrain")
    check_offsets(meta, frame, path)
    for note in frame.notes if report else ():
        report.note(note)
    if report:
        warn_late_rows(frame, path, report)
    if report and data is None:
        warn_copied(bundle, path, report)
    return frame, path


def warn_copied(bundle: Bundle, path: Path, report: Reporter) -> None:
    """Warn when a file named as the recorded training CSV lies beside the bundle's folder
    and is another file: a project folder copied for a second plant (its bundle and its
    data.csv) read the first plant's data.csv in silence, and forecast the first plant."""
    if bundle.path is None:
        return
    here = bundle.path.parent.parent.parent.absolute() / path.name  # beside the bundle
    try:
        other = here.is_file() and not os.path.samefile(here, path)
    except OSError:  # unreadable, or gone since: nothing to compare
        return
    if other:
        report.warn(f"{path}: the training CSV the bundle recorded is read, not {here} beside "
                    "the bundle (a folder copied with its bundle?): give that one with --data "
                    f"FILE, or retrain on it ('forecast train {here}'); '--data {path}' keeps "
                    "this one and ends this warning")


def _read(path: Path, spec: DataSpec, freq: str) -> Frame:
    # Infer the frequency afresh unless the user gave it at training: forcing an
    # inferred one would silently put daily data on an hourly grid (a given one is
    # still checked: rows mostly one step apart).
    frame = load_frame(path, spec if spec.freq else DataSpec(**{**spec.to_dict(), "freq": None}),
                       steps=is_step_freq(freq))
    if frame.freq == "B" and _is_daily(freq):
        # Bundles trained before business days were inferred put weekday-only rows on
        # a daily grid: keep that grid, so that their cron jobs go on working.
        frame = load_frame(path, DataSpec(**{**spec.to_dict(), "freq": freq}))
    return frame


def warn_late_rows(frame: Frame, path: Path, report: Reporter) -> None:
    """Warn of a series whose newest rows were left out for lying off its grid.

    A collector restarted on round minutes (20:05:00 after 20:02:53) writes every new row
    off the grid: they were dropped with a note, and a cron ``--last 12`` quietly scored
    12 old rows and missed a burst among the new ones.
    """
    for s in frame.series:
        if s.late_off is None:
            continue
        n, first = s.late_off
        which = f" of series '{s.name}'" if s.name else ""
        first, last = time_text(first, s.index), time_text(s.index[-1], s.index)
        report.warn(f"{path.name}: the newest {n} row(s){which}, from {first} on, are off "
                    f"{grid_word(frame.freq, s.index)}, which ends at {last}: they are not "
                    "forecast from or scored; if the feed's clock has moved, retrain with "
                    f"--resample {step_word(frame.freq, s.index)} to bin the rows onto one grid")


def _step_words(freq: str) -> str:
    """A step for messages: step numbers (1, 2, 3, ... stored as nanoseconds) by name."""
    if freq in ("ns", "N"):
        return "step numbers (1, 2, 3, ...) for times"
    if freq.endswith("ns") and freq[:-2].isdigit():
        return f"step numbers {freq[:-2]} apart for times"
    return f"frequency '{freq}'"


def _is_daily(alias: str) -> bool:
    try:
        return pd.Timedelta(to_step(alias)) == pd.Timedelta(days=1)
    except ValueError:  # calendar offsets (B, MS, ...) have no fixed length
        return False
