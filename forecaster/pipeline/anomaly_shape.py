"""The anomaly model's window and segment: settled from the data, checked before training.

An automatic window is 64 steps in segments of 4, shortened (and the segment halved) for
files whose first calibration block has too little past to train on; a given window is
checked against that past before the forecaster trains for minutes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from forecaster.anomaly.scores import MAX_FILLED_SHARE
from forecaster.config import TrainSettings
from forecaster.data.folds import Fold, make_folds
from forecaster.data.loading import Frame
from forecaster.errors import ConfigError, DataError
from forecaster.pipeline.prepare import MIN_TRAIN_WINDOWS
from forecaster.report import Reporter

# Share of the data held out for calibration when ``--folds 0`` leaves no folds.
CALIBRATION_SHARE = 0.2
# The anomaly window unless the data is too short for it (then the longest that fits).
DEFAULT_WINDOW = 64
# The segment unless a short file needs a smaller one; and the shortest automatic window.
DEFAULT_SEGMENT = 4
MIN_WINDOW = 4


def check_early(st: TrainSettings, folds: list[Fold], n: int,
                report: Reporter | None = None, n_series: int = 1) -> TrainSettings:
    """The anomaly settings' errors, raised before the forecaster trains for minutes.

    Args:
        st: the settings.
        folds: the forecaster's folds (none with ``--folds 0``).
        n: steps in the grid.
        report: where the automatic window's note or warning goes (none: silent).
        n_series: series in the file; with several, a given window is checked loosely
            (their windows add up), and fold_data's exact count decides later.

    Returns:
        ``st`` with the automatic anomaly window (and segment) settled, or with
        ``anomaly`` off when the data is too short for any (see ``settle_window``).

    Raises:
        ConfigError: a window that is not a multiple of its segment, an unknown rule.
        DataError: a given window too long for the first block's past.
    """
    blocks = folds or holdout(n, st)
    st = settle_window(st, blocks, report)
    if not st.anomaly:
        return st
    check_settings(st)
    past, seg = max(blocks[0].train_hi - blocks[0].train_lo, 0), st.anomaly_segment
    most = _longest_fit(blocks[0]) // seg * seg
    # One series: the exact count. Several add up their windows: then only a window that
    # can never fit is refused here, and fold_data's exact count decides the rest.
    exact = st.anomaly_window > most
    loose = past - st.anomaly_window + 1 < MIN_TRAIN_WINDOWS
    if (exact if n_series == 1 else loose):
        hint = f"use --anomaly-window {most} or less" if most > 0 else "use more data"
        raise DataError(f"--anomaly-window {st.anomaly_window}: the first validation block "
                        f"has {past} steps before it, too few to train on windows that long; "
                        f"{hint}, fewer --folds, or --no-anomaly")
    return st


def check_settings(st: TrainSettings) -> None:
    """Refuse a window that its segment does not divide (an unknown rule is refused when
    the settings are built: ``TRAIN_RULES``)."""
    if st.anomaly_window % st.anomaly_segment:
        raise ConfigError(f"--anomaly-window {st.anomaly_window} is not a multiple of "
                          f"--anomaly-segment {st.anomaly_segment}; choose a segment that "
                          "divides the window")


def holdout(n: int, st: TrainSettings) -> list[Fold]:
    """The one calibration block when ``--folds 0`` leaves none: the last
    ``CALIBRATION_SHARE`` of the ``n`` steps, and at least a window."""
    size = max(st.anomaly_window or DEFAULT_WINDOW, int(CALIBRATION_SHARE * n))
    return make_folds(n, 1, size, 0)


def _longest_fit(block: Fold) -> int:
    """The longest window leaving ``MIN_TRAIN_WINDOWS`` training windows before ``block``
    besides the early-stopping part (a window, or a tenth), as ``fold_data`` cuts them for
    one series."""
    past = block.train_hi - block.train_lo
    return min((past - MIN_TRAIN_WINDOWS + 1) // 2, past - past // 10 - MIN_TRAIN_WINDOWS + 1)


def _segment_given(st: TrainSettings) -> bool:
    return (st.sources.get("anomaly_segment", "default") != "default"
            or st.anomaly_segment != DEFAULT_SEGMENT)


def _segments(st: TrainSettings) -> list[int]:
    """The segment, or with the default one left automatic, it and its halvings down to 2."""
    if _segment_given(st):
        return [st.anomaly_segment]
    return [s for s in (DEFAULT_SEGMENT, DEFAULT_SEGMENT // 2) if s >= 2]


def settle_window(st: TrainSettings, blocks: list[Fold],
                  report: Reporter | None) -> TrainSettings:
    """Settle an automatic anomaly window: 64 steps, shortened in whole segments (the
    default segment halving) until the first block's past holds enough training windows.

    A given window is kept; with a given segment the window is 64 steps in whole segments,
    two at least. When not even ``MIN_WINDOW`` steps in two segments fit, the anomaly model
    is skipped: ``anomaly`` comes back off, with a warning (an error for a given segment).

    Raises:
        DataError: a given segment too long for two of it to fit.
    """
    if st.anomaly_window or not st.anomaly:
        return st
    most = _longest_fit(blocks[0])
    for seg in _segments(st):
        # 64 held no segment of 48: the model was skipped, and a nightly retrain dropped it.
        natural = max(DEFAULT_WINDOW // seg, 2) * seg
        window = min(natural, max(most, 0) // seg * seg)
        if window >= max(2 * seg, MIN_WINDOW):
            if report is not None and window != DEFAULT_WINDOW:
                why = (f"the data is too short for {natural}" if window < natural
                       else f"whole segments of --anomaly-segment {seg}")
                report.note(f"anomaly window {window} steps, segment {seg} ({why})")
            return replace(st, anomaly_window=window, anomaly_segment=seg)
    past = max(blocks[0].train_hi - blocks[0].train_lo, 0)  # a holdout can outgrow n
    if _segment_given(st):
        raise DataError(f"--anomaly-segment {st.anomaly_segment}: an anomaly window holds "
                        f"two segments or more ({2 * st.anomaly_segment} steps), and the first "
                        f"calibration block has {past} steps before it, room for windows of "
                        f"{max(most, 0)} at most; give a smaller --anomaly-segment, fewer "
                        "--folds, or --no-anomaly")
    if report is not None:
        fewer = " or fewer --folds" if st.folds > 1 else ""
        report.warn(f"anomaly model skipped: it needs {MIN_TRAIN_WINDOWS} training windows "
                    f"of at least {MIN_WINDOW} steps and an early-stopping part before the "
                    f"block its threshold is calibrated on, and only {past} steps lie before "
                    "that block; pass --no-anomaly to skip it without this warning, or give "
                    f"more data{fewer}")
    return replace(st, anomaly=False)


def check_scorable(frame: Frame, st: TrainSettings, path: Path) -> None:
    """Refuse data in which no anomaly window could ever be scored, before the forecaster
    trains for minutes: every window of every channel more than ``MAX_FILLED_SHARE``
    filled in (a ``--freq`` finer than the rows, a feed mostly down)."""
    window = st.anomaly_window
    if not st.anomaly:
        return
    for s in frame.series:
        if len(s.index) < window:
            continue
        filled = np.cumsum(np.vstack([np.zeros((1, s.observed.shape[1])), ~s.observed]), axis=0)
        share = (filled[window:] - filled[:-window]) / window  # (windows, channels)
        if (share <= MAX_FILLED_SHARE).any():
            return
    raise DataError(f"{path}: {no_windows(frame)}")


def no_windows(frame: Frame) -> DataError:
    """Why no out-of-fold window was scored: mostly filled-in data, or series apart."""
    filled = 1 - np.mean([s.observed.mean() for s in frame.series])
    if filled > MAX_FILLED_SHARE:
        # A single series read every 20th row was told its series "do not overlap".
        return DataError(f"{filled:.0%} of the values are filled in (--fill "
                         f"{frame.spec.fill}), and a window more than "
                         f"{MAX_FILLED_SHARE:.0%} filled in is no evidence of anomalies, "
                         "so none could calibrate the anomaly model; bin the rows to the "
                         "step they are read at with --resample, or give --no-anomaly")
    return DataError("no series has anomaly windows in a validation block after some "
                     "training rows (the series do not overlap enough in time); use "
                     "fewer --folds, train the series separately, or --no-anomaly")
