"""``forecast predict``: the next ``horizon`` steps of every series, with intervals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from forecaster.anomaly.scores import MAX_FILLED_SHARE
from forecaster.anomaly.thresholds import runs
from forecaster.bundle import Bundle, load_bundle
from forecaster.config import PredictSettings
from forecaster.data.carry import carried_tail
from forecaster.data.loading import Frame, Series
from forecaster.data.month_days import to_step
from forecaster.data.scaling import Scaler
from forecaster.data.timestamps import is_step_freq, steps_as_numbers, time_text
from forecaster.errors import BundleError, ConfigError, DataError
from forecaster.models.forecaster_net import ForecasterConfig, ForecasterEnsemble
from forecaster.models.restore import restore
from forecaster.pipeline.drift import drift_gate
from forecaster.pipeline.evaluation import hold_counters
from forecaster.pipeline.freshness import check_fresh, warn_ahead
from forecaster.pipeline.intervals import VOL_FLOOR, interval_offsets, mean_abs_change
from forecaster.pipeline.reread import load_data_for
from forecaster.report import Reporter


def load_forecaster(bundle: Bundle) -> ForecasterEnsemble:
    """Rebuild the forecasting ensemble from a bundle, refusing mismatched weights."""
    try:
        cfg = ForecasterConfig(**bundle.meta["forecaster"]["config"])
        members = int(bundle.meta["forecaster"].get("members", 1))
        net = restore(lambda: ForecasterEnsemble(cfg, members), bundle.section("forecaster"))
    except (TypeError, KeyError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0][:200]
        raise BundleError(f"{bundle.path}: forecaster weights are damaged or do not match "
                          f"its config ({first}); retrain with 'forecast train'") from None
    return net.eval()


def series_scaler(bundle: Bundle, name: str, values: np.ndarray, observed: np.ndarray,
                  report: Reporter) -> Scaler:
    """The training scaler of a series; a series new since training is scaled by its own past."""
    known = bundle.meta["scalers"].get(name)
    if known is not None:
        return Scaler.from_dict(known)
    report.note(f"series '{name}' was not in the training data; scaling it by its own history")
    return Scaler().fit(values, observed)


def predict(st: PredictSettings, report: Reporter | None = None) -> pd.DataFrame:
    """Forecast ``horizon`` steps past the last timestamp of each series.

    Returns:
        One row per (series, timestamp, target): forecast, lower and upper bounds.
    """
    report = report or Reporter(quiet=True)
    bundle = load_bundle(Path(st.model_dir))
    net = load_forecaster(bundle)
    steps = check_horizon(st.horizon, net.cfg.horizon)  # before minutes of reading the data
    frame, path = load_data_for(bundle, st.data, report)
    check_fresh(frame, path, st.max_age)
    warn_ahead(frame, path, report)
    cfg = net.cfg
    drift_gate(bundle, frame, cfg.window, st.strict, report, anchored=True, path=path)
    frame = long_enough(frame, cfg.window, "the model needs the last {need} to forecast",
                        path, report)
    warn_behind(frame, bundle, report, "their forecasts start after their own last rows")
    x, scalers = [], []
    for s in frame.series:
        _check_filled_input(s, frame.columns, cfg.window, frame.spec.fill, st.strict, report)
        sc = series_scaler(bundle, s.name, s.values, s.observed, report)
        scalers.append(sc)
        scaled = sc.transform(carried_tail(s.values, s.observed, frame.spec.fill, cfg.window))
        mask = s.observed[-cfg.window:].all(axis=1, keepdims=True).astype(np.float32)
        x.append(np.concatenate([scaled, mask], axis=1))
    with torch.inference_mode():
        out = net(torch.from_numpy(np.stack(x))).numpy()  # (series, horizon, targets)
    if bundle.tensors.get("intervals.quantiles") is None:
        report.note("no intervals: the model was trained with --folds 0, so there are no "
                    "out-of-fold residuals to set them; retrain with folds for lower/upper")
    table = _table(frame, bundle, out, scalers, st.level, cfg.window)
    first = table.groupby(["series", "target"], sort=False, dropna=False).cumcount() < steps
    return table[first].reset_index(drop=True)


def warn_behind(frame: Frame, bundle: Bundle, report: Reporter, what: str) -> None:
    """Warn of series that end further before the newest row of the file than they did at
    training (a feed that stopped since; series that end apart by design are not news);
    ``what`` says what that means for the command."""
    if len(frame.series) < 2:
        return
    trained = {k: pd.Timestamp(v["last"]) for k, v in
               bundle.meta.get("data", {}).get("series", {}).items() if "last" in v}
    then = max(trained.values(), default=None)
    newest = max(s.index[-1] for s in frame.series)
    behind = [s for s in frame.series if newest - s.index[-1] > (
        then - trained[s.name] if s.name in trained else pd.Timedelta(0))]
    if not behind:
        return
    s = behind[0]
    names = ", ".join(f"'{b.name}'" for b in behind[:5])
    more = f" and {len(behind) - 5} more" if len(behind) > 5 else ""
    verb = "ends" if len(behind) == 1 else "end"
    report.warn(f"series {names}{more} {verb} before the newest row of the file "
                f"({time_text(newest, s.index)}; '{s.name}' ends at "
                f"{time_text(s.index[-1], s.index)}): {what}; check that their rows still "
                "arrive")


def check_horizon(given: int | None, trained: int) -> int:
    """The steps to forecast: ``--horizon`` up to the trained horizon, all of it if None."""
    if given is None:
        return trained
    if given > trained:
        raise ConfigError(f"--horizon {given}: this model forecasts {trained} steps, set at "
                          f"training; expected at most {trained}: to forecast {given}, "
                          f"retrain with 'forecast train --horizon {given}'")
    return given


def long_enough(frame: Frame, need: int, why: str, path: Path, report: Reporter) -> Frame:
    """The frame without series shorter than ``need`` rows, each skipped with a warning.

    A series new in a long-format file (a store opened this week) must not stop the
    cron job for all the others; only when no series is long enough is it an error.

    Args:
        frame: the data.
        need: rows a series must have.
        why: what the rows are needed for, with ``{need}`` in it.
        path: the file, for messages.
        report: where the warnings go.
    """
    short = [s for s in frame.series if len(s.index) < need]
    if len(short) == len(frame.series):
        s = short[0]
        where = f"series '{s.name}' has" if s.name else "it has"
        raise DataError(f"{path}: {where} {len(s.index)} rows; {why.format(need=need)}. "
                        "Give more history")
    for s in short:
        report.warn(f"series '{s.name}' has {len(s.index)} rows; {why.format(need=need)}: "
                    "skipped until it has them")
    return replace(frame, series=[s for s in frame.series if len(s.index) >= need])


HABIT_SHARE = 0.05  # runs of filled rows per row read, from which gaps are a habit
_RULE = f": more than {MAX_FILLED_SHARE:.0%}, and over twice its share in the file"


def _check_filled_input(s: Series, columns: list[str], window: int, fill: str, strict: bool,
                        report: Reporter) -> None:
    """Warn (with --strict, fail) when the model's input rows of a series were filled in.

    The forecast starts from them: a stalled feed's made-up newest values, or after an
    outage a window mostly interpolated (40 of 48 rows, then 6 real ones: MAE 0.66 to 2.77,
    a narrower band), would pass for data. A column filled in more than
    ``MAX_FILLED_SHARE`` of the window, and more than twice as often as in the rows before
    it, had a gap: a column read every 4th hour, or a count feed writing no row for 0,
    is filled so in training too. A few late rows below that stay a warning.
    """
    recent = 1.0 - s.observed[-window:].mean(axis=0)  # (channels,) share filled
    # The rows before the window (none: nothing usual): with the window itself counted, a
    # file of two windows could never be filled twice as often as usual.
    before = s.observed[:-window]
    usual = 1.0 - before.mean(axis=0) if len(before) else np.zeros_like(recent)
    gap = np.flatnonzero((recent > MAX_FILLED_SHARE) & (recent > 2 * usual))
    message = _filled_tail(s, columns, window, fill, bool(gap.size))
    if gap.size:
        message = message or _filled_window(s, columns, window,
                                            int(gap[np.argmax(recent[gap])]), fill)
        if strict:
            raise DataError(message)
    if message:
        report.warn(message)


def _filled_tail(s: Series, columns: list[str], window: int, fill: str,
                 gap: bool) -> str | None:
    """The warning for newest rows filled in, or None when none were, past their column's
    usual run of filled rows (a column read every 4th hour has 3 at the end on 3 runs of
    4, as in training); ``gap``: the window is filled past ``_check_filled_input``'s limit.
    """
    tails = [_tail_run(s.observed[:, j]) for j in range(len(columns))]
    late = [j for j, (n, usual) in enumerate(tails) if n > usual]
    if not late:
        return None
    n = max(tails[j][0] for j in late)
    where = f"series '{s.name}'" if s.name else "the data"
    gaps = ", ".join(columns[j] for j in late)
    return (f"the newest {n} row(s) of {where}, from {time_text(s.index[-n], s.index)} "
            f"on, had {gaps} filled in by --fill {fill}, not observed "
            f"({min(n, window)} of the model's {window} input rows"
            f"{_RULE if gap else ''}); the forecast starts "
            "from filled values: add the missing values, or check the data feed")


def _tail_run(seen: np.ndarray) -> tuple[int, float]:
    """The run of filled rows a column ends in, and the run its habit allows: the median
    of its earlier runs where they are a habit (one row in 20 or more starts one: a column
    read every 4th hour), else 0 (two past outages must not hide a fresh stall)."""
    spans = runs(~seen)  # (first, last) of each run of filled rows, in order
    lengths = np.array([b - a + 1 for a, b in spans], dtype=np.int64)
    tail = int(lengths[-1]) if spans and spans[-1][1] == len(seen) - 1 else 0
    earlier = lengths[:-1] if tail else lengths
    habit = earlier.size >= HABIT_SHARE * (len(seen) - tail)
    return tail, float(np.median(earlier)) if earlier.size and habit else 0.0


def _filled_window(s: Series, columns: list[str], window: int, j: int, fill: str) -> str:
    """The warning for column ``j`` of the input window mostly filled in."""
    filled = ~s.observed[-window:, j]
    first = s.index[len(s.index) - window + int(np.flatnonzero(filled)[0])]
    where = f"series '{s.name}'" if s.name else "the data"
    need = window - int(MAX_FILLED_SHARE * window)
    return (f"{int(filled.sum())} of the model's {window} input rows of {where}, from "
            f"{time_text(first, s.index)} on, had {columns[j]} filled in by --fill {fill}, "
            f"not observed ({_RULE.removeprefix(': ')}: a gap in the data); the forecast "
            "starts from values nobody read, and its interval does not allow for them: add "
            "the missing values, or check the data feed (forecasts start from observed rows "
            f"again once {need} of the last {window} are observed)")


def _table(frame: Frame, bundle: Bundle, out: np.ndarray, scalers: list[Scaler],
           level: float, window: int) -> pd.DataFrame:
    k = len(frame.spec.targets)
    vq, power = bundle.tensors.get("intervals.vol_quantiles"), bundle.tensors.get(
        "intervals.vol_power")
    # Bundles from before volatility scaling have only the unscaled quantiles: used as they are.
    scaled = vq is not None and power is not None
    q = vq if scaled else bundle.tensors.get("intervals.quantiles")
    lo0, hi0 = (interval_offsets(q.numpy(), level) if q is not None  # none: empty bounds
                else (np.full(out.shape[1:], np.nan), np.full(out.shape[1:], np.nan)))
    step = to_step(frame.freq)
    floor = set(bundle.meta["forecaster"].get("nonnegative", []))  # never forecast below 0
    counters = bundle.meta["forecaster"].get("counters", {})  # series -> target -> +1/-1
    parts = []
    for s, sc, f in zip(frame.series, scalers, out, strict=True):
        scale = np.asarray(sc.scale_[:k])
        raw = sc.inverse_transform(f, k)  # (horizon, targets)
        lo, hi = lo0, hi0
        if scaled:  # volatility-scaled: times this input window's volatility ** power
            x = carried_tail(s.values, s.observed, frame.spec.fill, window)[:, :k] / scale
            v = mean_abs_change(x[None], VOL_FLOOR)[0] ** float(power.numpy()[0])
            lo, hi = lo0 * v, hi0 * v
        stamps = pd.date_range(s.index[-1] + step, periods=len(f), freq=step)
        for j, target in enumerate(frame.spec.targets):
            point = raw[:, j]
            if target in floor:  # floored first: the residuals were measured around it
                point = np.maximum(point, 0.0)
            cols = {"forecast": point, "lower": point + lo[:, j] * scale[j],
                    "upper": point + hi[:, j] * scale[j]}
            if target in floor:
                cols = {c: np.maximum(v, 0.0) for c, v in cols.items()}
            way = counters.get(s.name, {}).get(target, 0)
            if way:  # a meter never reads below its last reading
                cols = {c: _hold(v, _last_reading(s, j), way) for c, v in cols.items()}
            parts.append(pd.DataFrame({"series": s.name, "timestamp": stamps, "target": target,
                                       **cols}))
    return steps_as_numbers(pd.concat(parts, ignore_index=True),
                            is_step_freq(frame.freq))


def _last_reading(s: Series, j: int) -> float:
    # The last observed value: a tail filled by --fill zero is no reading of the meter.
    seen = s.values[s.observed[:, j], j]
    return float(seen[-1] if len(seen) else s.values[-1, j])


def _hold(values: np.ndarray, last: float, way: int) -> np.ndarray:
    """One forecast column (horizon,) held on its counter's side of ``last``."""
    held = hold_counters(values[None, :, None], np.full((1, 1, 1), last), np.array([[way]]))
    return held[0, :, 0]
