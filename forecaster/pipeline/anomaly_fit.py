"""The anomaly half of ``forecast train``: reconstruction models, out-of-fold calibration.

Each forward-chaining fold trains a reconstructor on its past and reconstructs its
validation block; those out-of-fold errors, which no model saw while fitting,
set the score normalisation and the threshold. The final model, fitted on all
data for the epochs the folds chose, is the one ``detect-anomalies`` runs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from forecaster.anomaly.scores import (
    MAX_FILLED_SHARE,
    combine_steps,
    normalise,
    robust_stats,
    smooth,
    window_errors,
)
from forecaster.anomaly.stuck import run_limits
from forecaster.anomaly.thresholds import RULES, calibrate
from forecaster.config import TrainSettings
from forecaster.data.folds import Fold, make_folds
from forecaster.data.loading import Frame
from forecaster.data.windows import WindowSet
from forecaster.errors import ConfigError, DataError
from forecaster.models.reconstructor import (
    Reconstructor,
    ReconstructorConfig,
    reconstruction_loss,
)
from forecaster.models.train import TrainConfig, fit
from forecaster.pipeline.prepare import MIN_TRAIN_WINDOWS, Grid, fold_data, on_grid
from forecaster.report import Reporter

# Share of the data held out for calibration when ``--folds 0`` leaves no folds.
CALIBRATION_SHARE = 0.2
# The anomaly window unless the data is too short for it (then the longest that fits).
DEFAULT_WINDOW = 64
# The segment unless a short file needs a smaller one; and the shortest automatic window.
DEFAULT_SEGMENT = 4
MIN_WINDOW = 4


def recon_config(frame: Frame, st: TrainSettings) -> ReconstructorConfig:
    """The reconstructor's shape for this data and these settings."""
    return ReconstructorConfig(
        n_channels=len(frame.columns), window=st.anomaly_window, segment=st.anomaly_segment,
        cell=st.cell, hidden=st.anomaly_hidden, layers=st.anomaly_layers,
        latent=st.anomaly_latent, dropout=st.dropout if st.anomaly_layers > 1 else 0.0,
        layer_norm=st.layer_norm, bidirectional=st.anomaly_bidirectional,
        norm=st.anomaly_norm)


def anomaly_train_config(st: TrainSettings) -> TrainConfig:
    """Optimiser settings of the reconstructor (windows per epoch capped for speed)."""
    return TrainConfig(epochs=st.anomaly_epochs, batch_size=st.anomaly_batch_size,
                       lr=st.anomaly_lr,
                       patience=st.patience, seed=st.seed, max_windows=st.anomaly_max_windows)


def fit_anomaly(frame: Frame, grid: Grid, st: TrainSettings, folds: list[Fold],
                device: torch.device, report: Reporter, meta: dict) -> dict[str, torch.Tensor]:
    """Fit and calibrate the anomaly model; fills ``meta["anomaly"]``.

    Args:
        frame: the training data.
        grid: its union time grid.
        st: the settings (``anomaly_*`` fields).
        folds: the forecaster's folds; their validation blocks give the
            out-of-fold errors (one held-out block is used when there are none).
        device: where to train.
        report: where messages go.
        meta: the bundle metadata, extended in place.

    Returns:
        Tensors "anomaly.net.*" (final weights) and "anomaly.oof_scores" (normalised
        out-of-fold scores, NaN-separated per block, for re-calibration at detection);
        none, and no ``meta["anomaly"]``, when the data is too short for an automatic window.
    """
    # Planned over the steps that hold data, like the forecaster's folds: a block at the end
    # of the union grid could fall where only a series without past rows has data.
    blocks = folds or [on_grid(f, grid) for f in _holdout(grid.n_covered, st)]
    st = settle_window(st, blocks, report)
    if not st.anomaly:
        return {}  # too short for any anomaly window: skipped, with a warning
    _check(st)
    sta = replace(st, window=st.anomaly_window, segment=st.anomaly_segment)
    errors, best_epochs = [], []
    for i, f in enumerate(blocks):
        err, best = _fold_errors(frame, grid, sta, f, device, report, f"anomaly fold {i + 1}"
                                 f"/{len(blocks)}")
        errors.append(err)
        best_epochs.append(best)
    oof = np.concatenate(errors)  # (steps, channels) with NaN rows between blocks
    if not np.isfinite(oof).any():
        raise _no_windows(frame)
    center, scale = robust_stats(oof)
    _, oof_scores = normalise(oof, center, scale, len(frame.spec.targets))
    net, epochs = _final_fit(frame, grid, sta, best_epochs, device, report)
    meta["anomaly"] = _meta(frame, st, sta, center, scale, oof_scores, epochs)
    kind = "floor" if st.anomaly_threshold == "telemanom" else "threshold"
    report.note(f"anomaly {kind} ({st.anomaly_threshold}): "
                f"{meta['anomaly']['threshold']['value']:.3g} from out-of-fold scores")
    tensors = {f"anomaly.net.{k}": v for k, v in net.state_dict().items()}
    tensors["anomaly.oof_scores"] = torch.from_numpy(oof_scores.astype(np.float32))
    return tensors


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
    blocks = folds or _holdout(n, st)
    st = settle_window(st, blocks, report)
    if not st.anomaly:
        return st
    _check(st)
    past, seg = blocks[0].train_hi - blocks[0].train_lo, st.anomaly_segment
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


def _check(st: TrainSettings) -> None:
    if st.anomaly_window % st.anomaly_segment:
        raise ConfigError(f"--anomaly-window {st.anomaly_window} is not a multiple of "
                          f"--anomaly-segment {st.anomaly_segment}; choose a segment that "
                          "divides the window")
    if st.anomaly_threshold not in RULES:
        raise ConfigError(f"--anomaly-threshold {st.anomaly_threshold}: expected one of "
                          f"{', '.join(RULES)}")


def _holdout(n: int, st: TrainSettings) -> list[Fold]:
    size = max(st.anomaly_window or DEFAULT_WINDOW, int(CALIBRATION_SHARE * n))
    return make_folds(n, 1, size, 0)


def _longest_fit(block: Fold) -> int:
    """The longest window leaving ``MIN_TRAIN_WINDOWS`` training windows before ``block``
    besides the early-stopping part (a window, or a tenth), as ``fold_data`` cuts them for
    one series."""
    past = block.train_hi - block.train_lo
    return min((past - MIN_TRAIN_WINDOWS + 1) // 2, past - past // 10 - MIN_TRAIN_WINDOWS + 1)


def _segments(st: TrainSettings) -> list[int]:
    """The segment, or with the default one left automatic, it and its halvings down to 2."""
    given = st.sources.get("anomaly_segment", "default") != "default"
    if given or st.anomaly_segment != DEFAULT_SEGMENT:
        return [st.anomaly_segment]
    return [s for s in (DEFAULT_SEGMENT, DEFAULT_SEGMENT // 2) if s >= 2]


def settle_window(st: TrainSettings, blocks: list[Fold],
                  report: Reporter | None) -> TrainSettings:
    """Settle an automatic anomaly window: 64 steps, shortened in whole segments (the
    default segment halving) until the first block's past holds enough training windows.

    A given window is kept. When not even ``MIN_WINDOW`` steps in two segments fit, the
    anomaly model is skipped: ``anomaly`` comes back off, with a warning.
    """
    if st.anomaly_window or not st.anomaly:
        return st
    most = _longest_fit(blocks[0])
    for seg in _segments(st):
        window = min(DEFAULT_WINDOW, most) // seg * seg
        if window >= max(2 * seg, MIN_WINDOW):
            if report is not None and window < DEFAULT_WINDOW:
                report.note(f"anomaly window {window} steps, segment {seg} (the data is too "
                            f"short for {DEFAULT_WINDOW})")
            return replace(st, anomaly_window=window, anomaly_segment=seg)
    if report is not None:
        past = max(blocks[0].train_hi - blocks[0].train_lo, 0)  # a holdout can outgrow n
        fewer = " or fewer --folds" if st.folds > 1 else ""
        report.warn(f"anomaly model skipped: it needs {MIN_TRAIN_WINDOWS} training windows "
                    f"of at least {MIN_WINDOW} steps and an early-stopping part before the "
                    f"block its threshold is calibrated on, and only {past} steps lie before "
                    "that block; pass --no-anomaly to skip it without this warning, or give "
                    f"more data{fewer}")
    return replace(st, anomaly=False)


def _fold_errors(frame: Frame, grid: Grid, sta: TrainSettings, f: Fold, device: torch.device,
                 report: Reporter, label: str) -> tuple[np.ndarray, int]:
    """Per-step out-of-fold errors of one fold's validation block, and its best epoch."""
    w = sta.window
    try:
        data = fold_data(frame, grid, sta, f.train_lo, f.train_hi,
                         (max(f.val_lo - w + 1, 0), f.val_hi), horizon=0)
    except DataError:
        raise DataError(f"too little data before the validation block of {label} for "
                        f"--anomaly-window {w}; use a shorter --anomaly-window, fewer "
                        "--folds, or --no-anomaly") from None
    net = Reconstructor(recon_config(frame, sta))
    with report.epochs(label, sta.anomaly_epochs) as hook:
        hist = fit(net, reconstruction_loss, data.train, data.early, anomaly_train_config(sta),
                   device, hook)
    err = window_errors(net, data.val.to(device))
    blocks = []
    for i, s in enumerate(frame.series):
        rows = data.val_origins[:, 0] == i
        lo, hi = (min(max(p - grid.offsets[i], 0), len(s.index)) for p in (f.val_lo, f.val_hi))
        # Only the block (and the smoothing's reach before it): a whole-series table
        # took gigabytes on long files.
        pad = min(lo, max(sta.anomaly_smooth - 1, 0))
        steps = combine_steps(err[rows], data.val_origins[rows, 1] - w, hi - lo + pad,
                              sta.anomaly_combine, lo - pad)
        steps = smooth(steps, sta.anomaly_smooth)[pad:]
        blocks += [steps, np.full((1, steps.shape[1]), np.nan, dtype=np.float32)]
    return np.concatenate(blocks), hist.best_epoch


def _final_fit(frame: Frame, grid: Grid, sta: TrainSettings, best_epochs: list[int],
               device: torch.device, report: Reporter) -> tuple[Reconstructor, int]:
    epochs = max(1, int(np.median(best_epochs)))
    data = fold_data(frame, grid, sta, 0, grid.n, None, horizon=0)
    t, e = data.train, data.early
    every = WindowSet(t.inputs, t.targets, t.weights, torch.cat([t.starts, e.starts]),
                      t.window, t.horizon)
    net = Reconstructor(recon_config(frame, sta))
    with report.epochs("anomaly final model", epochs) as hook:
        fit(net, reconstruction_loss, every, None, anomaly_train_config(sta), device, hook,
            fixed_epochs=epochs)
    return net, epochs


def _meta(frame: Frame, st: TrainSettings, sta: TrainSettings, center: np.ndarray,
          scale: np.ndarray, oof_scores: np.ndarray, epochs: int) -> dict:
    thresholds = {r: _finite(calibrate(oof_scores, r, st.anomaly_q, st.anomaly_k,
                                       st.anomaly_trim)) for r in RULES}
    value = thresholds[st.anomaly_threshold]
    ok = oof_scores[~np.isnan(oof_scores)]
    return {
        "method": "reconstruction",
        "config": recon_config(frame, sta).to_dict(),
        "train": anomaly_train_config(sta).to_dict(), "final_epochs": epochs,
        "combine": st.anomaly_combine, "smooth": st.anomaly_smooth,
        "normalisation": {"center": center.tolist(), "scale": scale.tolist(),
                          "columns": frame.columns},
        "threshold": {"rule": st.anomaly_threshold, "value": value, "q": st.anomaly_q,
                      "k": st.anomaly_k, "trim": st.anomaly_trim, "prune": st.anomaly_prune,
                      "all_rules": thresholds},
        "oof": {"steps": int(ok.size), "flagged_share": float((ok >= value).mean())
                if ok.size else 0.0},
        # Per series and channel: the longest run of equal readings not called stuck.
        "stuck": {"limits": {s.name: run_limits(s.values, s.observed) for s in frame.series}},
    }


def _no_windows(frame: Frame) -> DataError:
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


def _finite(x: float) -> float:
    # JSON in the bundle refuses inf; a huge threshold flags nothing, as inf would.
    return float(x) if np.isfinite(x) else 1e30
