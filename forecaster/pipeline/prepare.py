"""From a validated frame to scaled window sets for one fold, without leaking its future."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from forecaster.config import TrainSettings
from forecaster.data.folds import Fold, make_folds
from forecaster.data.loading import Frame, load_frame
from forecaster.data.month_days import to_step
from forecaster.data.resets import clear_of, reset_steps
from forecaster.data.scaling import Scaler
from forecaster.data.spec import DataSpec
from forecaster.data.timestamps import is_step_freq, step_numbers
from forecaster.data.windows import WindowSet, assemble, window_starts
from forecaster.errors import ConfigError, DataError
from forecaster.pipeline.fold_scaling import fold_scaled, sat_out
from forecaster.report import Reporter

MIN_TRAIN_WINDOWS = 8
# A fold's metrics and interval residuals come from at most this many validation windows,
# spread evenly over its block: 2.25 million rows of 50 sensors held 675,000 windows of 96
# steps, and the fold's arrays of them took the train to 7.3 GB.
MAX_VAL_WINDOWS = 50_000


def read_frame(path: Path, spec: DataSpec, report: Reporter) -> Frame:
    """The file's validated frame, its notes and warnings (a label chosen as an input)
    said on ``report``: train's and backtest's first step."""
    frame = load_frame(path, spec)
    for note in frame.notes:
        report.note(note)
    for warning in frame.warnings:
        report.warn(warning)
    return frame


@dataclass
class Grid:
    """The union time grid of all series: series ``i`` starts at ``offsets[i]``.

    Attributes:
        covered: per step, whether some series has a row there (False in the stretches
            between series that do not overlap in time).
    """

    start: pd.Timestamp
    n: int
    offsets: list[int]
    covered: np.ndarray

    @property
    def n_covered(self) -> int:
        """Steps where some series has a row."""
        return int(self.covered.sum())


def make_grid(frame: Frame) -> Grid:
    """Place every series on one grid so that folds cut all series at the same times."""
    start = min(s.index[0] for s in frame.series)
    end = max(s.index[-1] for s in frame.series)
    grid = pd.date_range(start, end, freq=to_step(frame.freq))
    # A series on another phase (rows at :30 beside rows at :00) sits at the step before
    # its rows, never after: a fold's training part then ends before its validation
    # starts for every series. (Looked up exactly, it got -1 and slices from the end.)
    offsets = [int(grid.searchsorted(s.index[0], side="right")) - 1 for s in frame.series]
    covered = np.zeros(len(grid), dtype=bool)
    for off, s in zip(offsets, frame.series, strict=True):
        covered[off:off + len(s.index)] = True
    return Grid(start=start, n=len(grid), offsets=offsets, covered=covered)


def es_size(train_len: int, horizon: int) -> int:
    """Steps held back from a training part for early stopping."""
    return max(horizon, train_len // 10)


def plan_folds(frame: Frame, grid: Grid, st: TrainSettings, path: str,
               length_option: str = "--window") -> list[Fold]:
    """The forward-chaining folds, after checking there is enough data for them
    (``length_option``: see ``window_words``)."""
    if st.window % st.segment:
        raise ConfigError(f"--window {st.window} is not a multiple of --segment {st.segment}; "
                          "choose a segment that divides the window (1 for per-step input)")
    if st.folds == 0:
        return []
    # Folds are planned over the steps that hold data: series that do not overlap in time
    # (store A in January, B in March) leave stretches of the union grid empty, and a
    # validation block there had no windows at all.
    m = grid.n_covered
    folds, val_size, train_len, need_train = fold_room(st, m)
    if train_len < need_train:
        need = m - train_len + need_train
        steps = f"{m} time steps" + (f" with data (of {grid.n})" if m < grid.n else "")
        _, _, least_len, least = fold_room(smallest_shape(st), m)
        named, _ = window_words(st, length_option)
        advice = (f"a shorter {length_option}/--horizon or fewer --folds" if least <= least_len
                  else "fewer --folds (--folds 0 trains without validation) or more data")
        raise DataError(f"{path}: {steps}, too few for {named}, "
                        f"--horizon {st.horizon} and {st.folds} folds of {val_size} steps "
                        f"(need about {need}); use {advice}")
    folds = [on_grid(f, grid) for f in folds]
    for k, f in enumerate(folds):
        _check_validated(frame, grid, st, f, f"{path}: fold {k + 1} of {st.folds}")
    return folds


def on_grid(fold: Fold, grid: Grid) -> Fold:
    """A fold planned over the ``grid.n_covered`` steps that hold data, as union-grid
    positions (the same fold when every step is covered). Gaps only widen: nothing
    moves closer to the validation block."""
    pos = np.flatnonzero(grid.covered)

    def start(p: int) -> int:
        return int(pos[p]) if p < len(pos) else grid.n

    def end(p: int) -> int:
        return int(pos[p - 1]) + 1 if p > 0 else 0

    return Fold(start(fold.train_lo), end(fold.train_hi), start(fold.val_lo), end(fold.val_hi))


def _check_validated(frame: Frame, grid: Grid, st: TrainSettings, fold: Fold,
                     where: str) -> None:
    # A fold is scored on the series that have a past to scale by and a validation window;
    # with none, its validation set would be empty.
    for i, s in enumerate(frame.series):
        lo, hi = _train_part(grid, i, len(s.index), fold.train_lo, fold.train_hi)
        if hi - lo >= 2 and len(_val_starts(grid, i, len(s.index), st.window, st.horizon,
                                            (fold.val_lo, fold.val_hi))):
            return
    raise DataError(f"{where}: no series has both rows before the fold's training end and a "
                    f"--window {st.window} + --horizon {st.horizon} window in its validation "
                    "block, as the series do not overlap enough in time; use fewer --folds, "
                    "--folds 0, or train the series separately")


def _train_part(grid: Grid, i: int, n: int, train_lo: int, train_hi: int) -> tuple[int, int]:
    """Series ``i``'s training part ``[lo, hi)`` in its own positions (possibly empty)."""
    lo, hi = (max(0, p - grid.offsets[i]) for p in (train_lo, train_hi))
    return lo, min(hi, n)


def _val_starts(grid: Grid, i: int, n: int, window: int, horizon: int,
                val: tuple[int, int]) -> np.ndarray:
    vlo, vhi = (max(p - grid.offsets[i], 0) for p in val)
    return window_starts(n, window, horizon, 0, vlo, vhi)


def fold_room(st: TrainSettings, n: int) -> tuple[list[Fold], int, int, int]:
    """The folds of ``n`` steps under ``st`` (``st.folds`` > 0), their validation size, and
    the first fold's training steps beside the steps its window and horizon need."""
    gap = st.horizon if st.gap is None else st.gap
    val_size = st.val_size or max(st.horizon, int(0.3 * n / st.folds))
    folds = make_folds(n, st.folds, val_size, gap, st.window_kind)
    train_len = folds[0].train_hi - folds[0].train_lo
    return folds, val_size, train_len, train_need(st, train_len)


def smallest_shape(st: TrainSettings) -> TrainSettings:
    """The smallest shape a model takes, for advice: two input steps, one ahead."""
    return replace(st, window=2, segment=1, horizon=1, gap=None if st.gap is None else 0)


def window_words(st: TrainSettings, length_option: str) -> tuple[str, str]:
    """The window as a message names it, and the smallest window by that option, for
    advice. ``length_option`` is what set its length: "--window", or "--segment" for an
    automatic window of whole segments of a given --segment (advice to shorten a
    --window not given sent the user to an option that had set nothing)."""
    if length_option == "--segment":
        return (f"a window of {st.window} steps ({st.window // st.segment} of --segment "
                f"{st.segment}; no --window given)", "--segment 1")
    return f"--window {st.window}", "--window 2"


def train_need(st: TrainSettings, train_len: int) -> int:
    """Steps a training part of ``train_len`` steps must have for this window and horizon."""
    return st.window + st.horizon + es_size(train_len, st.horizon) + MIN_TRAIN_WINDOWS


@dataclass
class FoldData:
    """Scaled windows of one fold.

    Attributes:
        scalers: per series, fitted on that series' training part only.
        train: training windows (inputs and targets before the early-stopping block).
        early: early-stopping windows (targets in the last part of training).
        val: validation windows (targets in the validation block), or None.
        val_origins: per validation window, (series index, origin position in that series).
        sat_out: (series, channels) True for a channel that sits this fold out
            (``fold_scaling.sat_out``): it is neither trained nor validated, and its
            actuals are no evidence of the fold's errors.
    """

    scalers: list[Scaler]
    train: WindowSet
    early: WindowSet
    val: WindowSet | None
    val_origins: np.ndarray
    sat_out: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))


def fold_data(frame: Frame, grid: Grid, st: TrainSettings, train_lo: int, train_hi: int,
              val: tuple[int, int] | None, horizon: int | None = None) -> FoldData:
    """Fit scalers on ``[train_lo, train_hi)`` and cut windows for training and validation.

    Positions are on the union grid. Validation inputs may reach back before
    ``train_hi`` (that is the past of each validation origin); nothing fitted
    here sees a value at or after ``train_hi``.
    """
    horizon = st.horizon if horizon is None else horizon
    scalers, tr, early, va, origins = [], [], [], [], []
    # Each series holds back its own last tenth: sized on the whole grid, twelve
    # series that follow one another lost every training window to early stopping.
    parts = [(lo, hi - es_size(hi - lo, horizon or st.window), hi) for lo, hi in
             (_train_part(grid, i, len(s.index), train_lo, train_hi)
              for i, s in enumerate(frame.series))]
    out = (sat_out(frame, parts, horizon or st.window) if val is not None
           else np.zeros((len(frame.series), len(frame.columns)), dtype=bool))
    for i, s in enumerate(frame.series):
        n, (lo, es_lo, hi) = len(s.index), parts[i]
        part = slice(lo, hi) if hi - lo >= 2 else slice(0, max(hi, 2))
        scaler, scaled, observed = fold_scaled(frame, s, part, hi, horizon, out[i])
        scalers.append(scaler)
        # A step-change forecaster learns nothing from a counter's reset (data/resets.py).
        resets = (reset_steps(s.values[:, :len(frame.spec.targets)], s.observed, lo, hi)
                  if horizon and st.norm == "diff" else np.empty(0, dtype=np.int64))
        tr.append((scaled, observed, clear_of(
            window_starts(n, st.window, horizon, lo, lo, es_lo), resets, st.window + horizon)))
        early.append((scaled, observed, clear_of(
            window_starts(n, st.window, horizon, lo, es_lo, hi), resets, st.window + horizon)))
        if val is not None:
            # A series without training rows here has no past to scale by: scaling its
            # validation windows by its own later rows would leak, so it sits this fold out.
            starts = (_val_starts(grid, i, n, st.window, horizon, val) if hi - lo >= 2
                      else np.empty(0, dtype=np.int64))
            va.append((scaled, observed, starts))
            origins.append(np.stack([np.full(len(starts), i), starts + st.window], axis=1))
    k = len(frame.spec.targets) if horizon else len(frame.columns)
    train_set = assemble(tr, k, st.window, horizon)
    if len(train_set) < MIN_TRAIN_WINDOWS:
        raise DataError(f"only {len(train_set)} training windows; use a shorter --window "
                        "or more data")
    val_set = assemble(va, k, st.window, horizon) if val is not None else None
    return FoldData(scalers, train_set, assemble(early, k, st.window, horizon), val_set,
                    np.concatenate(origins) if origins else np.empty((0, 2), dtype=np.int64),
                    out)


def thinned(data: FoldData, most: int = MAX_VAL_WINDOWS) -> FoldData:
    """``data`` with at most ``most`` validation windows, evenly spaced over the block
    (every series keeps its share: origins run series by series)."""
    n = len(data.val_origins)
    if data.val is None or n <= most:
        return data
    keep = np.unique(np.linspace(0, n - 1, most).round().astype(np.int64))
    v = data.val
    val = WindowSet(v.inputs, v.targets, v.weights, v.starts[torch.from_numpy(keep)], v.window,
                    v.horizon)
    return replace(data, val=val, val_origins=data.val_origins[keep])


def grid_time(frame: Frame, grid: Grid, pos: int) -> str:
    """The timestamp at a union-grid position, ISO 8601 (a step number on a step grid)."""
    when = pd.DatetimeIndex([grid.start + pos * to_step(frame.freq)])
    return str(step_numbers(when)[0]) if is_step_freq(frame.freq) else when[0].isoformat()
