"""Where a backtest forecasts from and when it retrains: origins, folds and refits.

Positions are on the union time grid. An origin ``t`` forecasts rows ``t .. t+horizon-1``
from rows before ``t``; a refit trains on rows before ``t0 - gap``, where ``t0`` is the
first origin it serves, so no model, scaler or fitted baseline sees any origin's future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecaster.config import TrainSettings
from forecaster.data.month_days import to_step
from forecaster.data.option_times import parse_when, shown_as
from forecaster.data.timestamps import is_steps, step_numbers, time_text
from forecaster.data.zone_names import zone_hint
from forecaster.errors import ConfigError, DataError
from forecaster.limits import (
    LEVEL,
    WINDOW_KINDS,
    Choice,
    Instance,
    Number,
    Text,
    Whole,
    check_fields,
    refuse,
)
from forecaster.pipeline.prepare import es_size

REFIT_HELP = ("never (train once on the data before --start and roll forward), each (retrain "
              "at every origin) or every-N (retrain at every N-th origin)")
DEFAULT_START = 0.8
MIN_FIT_WINDOWS = 8
# What each field of BacktestSettings may hold: ``forecast backtest``'s own options' limits.
# start and end are resolved against the data's times (``resolve_position``), refit below.
BACKTEST_RULES = {
    "train": Instance(TrainSettings), "folds": Whole(1), "stride": Whole(1, auto=True),
    "window_kind": Choice(WINDOW_KINDS), "gap": Whole(0), "refit": Text(REFIT_HELP),
    "season": Whole(1, auto=True), "level": Number(*LEVEL),
}


@dataclass
class BacktestSettings:
    """Everything ``forecast backtest`` needs beyond the train settings.

    Attributes:
        train: the model and data settings (``forecast train``'s options).
        start: first origin, the time of its first forecast: a timestamp or a fraction of
            the grid (default 0.8).
        end: last forecast target: a timestamp (inclusive) or a fraction (default 1.0).
        folds: consecutive blocks of origins reported separately.
        stride: steps between origins (default: the horizon, so forecasts tile the span).
        window_kind: "expanding" (train from the start) or "sliding" (fixed length).
        gap: steps between the end of a refit's training data and its first origin.
        refit: "never", "each" or "every-N".
        season: seasonal-naive and MASE period (default: from the frequency).
        level: interval level in percent.
    """

    train: TrainSettings = field(default_factory=TrainSettings)
    start: str | None = None
    end: str | None = None
    folds: int = 1
    stride: int | None = None
    window_kind: str = "expanding"
    gap: int = 0
    refit: str = "never"
    season: int | None = None
    level: float = 90.0

    def __post_init__(self) -> None:
        """Refuse a value ``forecast backtest`` would refuse (see ``BACKTEST_RULES``); the
        train settings checked theirs when built.

        Raises:
            ConfigError: naming the field, the value and what is allowed.
        """
        check_fields(self, BACKTEST_RULES)
        try:
            refit_every(self.refit)
        except ConfigError:
            raise refuse("refit", self.refit, f"expected {REFIT_HELP}") from None


@dataclass(frozen=True)
class Refit:
    """One training of the model and the origins it forecasts.

    Attributes:
        train_lo: first training row.
        fit_hi: end of the fitting part; ``[fit_hi, train_hi)`` is the validation part
            (early stopping and interval calibration).
        train_hi: end of all training data (``origins[0] - gap``).
        origins: grid positions of the origins served by this model.
    """

    train_lo: int
    fit_hi: int
    train_hi: int
    origins: np.ndarray


@dataclass
class Plan:
    """All origins, their fold numbers (0-based) and the refits that serve them; and the
    steps at the end of the span that no origin's horizon reaches (``left``)."""

    origins: np.ndarray
    fold: np.ndarray
    refits: list[Refit]
    left: int = 0


def refit_every(policy: str) -> int | None:
    """Origins per refit: None for "never", 1 for "each", N for "every-N"."""
    if policy == "never":
        return None
    if policy == "each":
        return 1
    n = policy.removeprefix("every-")
    if policy.startswith("every-") and n.isdigit() and int(n) >= 1:
        return int(n)
    raise ConfigError(f"--refit {policy}: expected {REFIT_HELP}")


def resolve_position(text: str | None, times: pd.DatetimeIndex, default: float, option: str,
                     inclusive: bool = False, day_first: bool | None = None) -> int:
    """A grid position from a fraction of the grid or a timestamp.

    Args:
        text: "0.75" or "2024-03-01 00:00"; None takes ``default``.
        times: the grid's timestamps.
        default: fraction used when ``text`` is None.
        option: the option's name, for messages.
        inclusive: a timestamp names the last position included (for --end).
        day_first: how the file writes dates like 2/1/2007 (``DataSpec.day_first``).
    """
    n = len(times)
    try:
        frac = default if text is None else float(text)
    except ValueError:
        return _timestamp_position(text, times, option, inclusive, day_first)
    if frac > 1.0 and (is_steps(times) or re.fullmatch(r"\s*(\d{4}|\d{8,19})(\.\d*)?\s*",
                                                       str(text))):
        # a step number (1900, not 0.8), a year (--start 1958 as --since 1958 reads it), a
        # compact date (20240131) or a Unix time (date +%s)
        return _timestamp_position(text, times, option, inclusive, day_first)
    if not 0.0 <= frac <= 1.0:
        raise ConfigError(f"{option} {text}: a number must be a fraction of the data between "
                          "0 and 1; or give a timestamp")
    return int(round(frac * n))


def _timestamp_position(text: str, times: pd.DatetimeIndex, option: str,
                        inclusive: bool, day_first: bool | None) -> int:
    try:
        ts = parse_when(text, times, option, day_first)
    except ValueError:
        raise ConfigError(f"{option} {text}: expected a timestamp such as 2024-03-01 or a "
                          "fraction such as 0.8 (a step number for a series indexed by "
                          f"steps){zone_hint(text)}") from None
    if not times[0] <= ts <= times[-1]:
        raise ConfigError(f"{option} {shown_as(text, ts, times)}: outside the data "
                          f"({time_text(times[0], times)} .. {time_text(times[-1], times)}); "
                          "give one within it")
    return int(times.searchsorted(ts, side="right" if inclusive else "left"))


def make_origins(start: int, end: int, horizon: int, stride: int) -> np.ndarray:
    """Origins ``start, start+stride, ...`` whose whole horizon ends by ``end``."""
    if start + horizon > end:
        # The advice is the caller's (``backtest_fit``): it tries each option before naming it.
        raise DataError(f"no forecast origin fits between --start and --end: {end - start} "
                        f"steps, need at least --horizon {horizon}")
    return np.arange(start, end - horizon + 1, stride, dtype=np.int64)


def make_plan(n: int, times: pd.DatetimeIndex, bt: BacktestSettings) -> Plan:
    """Origins, folds and refits for a grid of ``n`` steps.

    Raises:
        ConfigError: inconsistent options.
        DataError: too little data before the first origin to train.
    """
    st = bt.train
    first = bt.train.data.day_first
    start = resolve_position(bt.start, times, DEFAULT_START, "--start", day_first=first)
    end = resolve_position(bt.end, times, 1.0, "--end", inclusive=True, day_first=first)
    _check_span(start, end, bt, times)
    origins = make_origins(max(start, 1), min(end, n), st.horizon, bt.stride or st.horizon)
    if bt.folds > len(origins):
        raise ConfigError(f"--folds {bt.folds}: only {len(origins)} origins; use fewer folds "
                          "or a smaller --stride")
    fold = np.arange(len(origins)) * bt.folds // len(origins)
    every = refit_every(bt.refit) or len(origins)
    groups = [origins[i:i + every] for i in range(0, len(origins), every)]
    first_len = int(groups[0][0]) - bt.gap
    refits = [_refit(g, bt, first_len) for g in groups]
    left = min(end, n) - int(origins[-1]) - st.horizon
    return Plan(origins=origins, fold=fold, refits=refits, left=left)


def tail_note(plan: Plan, times: pd.DatetimeIndex, horizon: int, stride: int) -> str | None:
    """Which last rows no forecast reaches, and the --start that would reach them (the
    airline file's backtest ended at July 1960, five months short, without a word)."""
    if plan.left <= 0:
        return None
    first = int(plan.origins[-1]) + horizon
    return (f"the last {plan.left} step(s), from {_at(times, first)}, are not forecast: "
            f"origins lie --stride {stride} apart from --start, and the next would run past "
            f"the span; --start {_option_time(times, int(plan.origins[0]) + plan.left)} "
            "reaches them")


def _option_time(times: pd.DatetimeIndex, pos: int) -> str:
    """The time at a position as --start takes it: a step number bare ("step 485" was
    refused when given back), a timestamp in ISO 8601."""
    if not is_steps(times):
        return _at(times, pos)
    return str(step_numbers(times[[min(max(pos, 0), len(times) - 1)]])[0])


def _check_span(start: int, end: int, bt: BacktestSettings, times: pd.DatetimeIndex) -> None:
    """Refuse an --end at or before --start (else "no origin fits in -240 steps")."""
    # With no --end, a --start at the data's end is a start too late: make_origins' "0
    # steps" gets the caller's advice of a --start that fits ("give an --end after --start"
    # named an option not given).
    if end > start or bt.end is None:
        return
    if bt.start is None:  # "or swap them" named a --start never given
        raise ConfigError(f"--end {bt.end} ({_at(times, end - 1)}) is not after the default "
                          f"--start {DEFAULT_START} ({_at(times, start)}): give an --end after "
                          "it, or a --start before it")
    given = f"--start {bt.start} ({_at(times, start)}) and --end {bt.end} ({_at(times, end - 1)})"
    raise ConfigError(f"{given}: --end is not after --start; give an --end after --start "
                      "(or swap them)")


def _at(times: pd.DatetimeIndex, pos: int) -> str:
    """The timestamp at a position, for messages (clipped to the data)."""
    return time_text(times[min(max(pos, 0), len(times) - 1)], times)


def _refit(origins: np.ndarray, bt: BacktestSettings, first_len: int) -> Refit:
    st = bt.train
    train_hi = int(origins[0]) - bt.gap
    train_lo = max(0, train_hi - first_len) if bt.window_kind == "sliding" else 0
    have = max(train_hi - train_lo, 0)
    val, es, need = fit_room(st, have)
    if have - val < need or val < st.horizon:
        raise DataError(f"{have} steps before the first origin (after --gap {bt.gap}), too few "
                        f"to train with --window {st.window} and --horizon {st.horizon}: the "
                        f"fitting part needs {need} steps ({st.window} + {st.horizon} + "
                        f"{MIN_FIT_WINDOWS} training windows + {es} held out for early "
                        f"stopping) and the validation part {val} more, {need + val} in all")
    return Refit(train_lo=train_lo, fit_hi=train_hi - val, train_hi=train_hi, origins=origins)


def fit_room(st: TrainSettings, train_len: int) -> tuple[int, int, int]:
    """How a refit's ``train_len`` training steps divide: its validation steps, the steps
    held out of the fitting part for early stopping, and the steps the fitting part needs
    (as ``backtesting.refit_data`` cuts them: fewer, and it would have no windows)."""
    val = st.val_size or max(st.horizon, train_len // 10)
    es = es_size(train_len - val, st.horizon)
    return val, es, st.window + st.horizon + es + MIN_FIT_WINDOWS


def weekly_season(freq: str, season: int, bt: BacktestSettings, plan: Plan) -> int | None:
    """Steps in a week for sub-daily data (whose season is the day) when every origin has a
    week behind it: traffic, rides and loads repeat weekly, and a daily seasonal naive is
    too easy a yardstick for them."""
    try:
        sub_daily = pd.Timedelta(to_step(freq)) < pd.Timedelta(days=1)
    except ValueError:  # months, business days: no fixed length
        return None
    week = 7 * season
    # The validation origins (from each refit's fit_hi on) set its intervals: a week too.
    first = min([plan.origins.min(), *(r.fit_hi for r in plan.refits)])
    ok = sub_daily and bt.season is None and season > 1 and first >= week
    return week if ok else None
