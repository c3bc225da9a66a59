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
    UNCALIBRATED,
    combine_steps,
    normalise,
    robust_stats,
    smooth,
    window_errors,
)
from forecaster.anomaly.stuck import run_levels, run_limits
from forecaster.anomaly.thresholds import RULES, calibrate
from forecaster.config import TrainSettings
from forecaster.data.folds import Fold
from forecaster.data.loading import Frame
from forecaster.data.windows import WindowSet
from forecaster.errors import ConfigError, DataError
from forecaster.models.reconstructor import (
    Reconstructor,
    ReconstructorConfig,
    new_reconstructor,
    reconstruction_loss,
)
from forecaster.models.train import Diverged, EpochHook, History, TrainConfig, fit
from forecaster.pipeline.anomaly_norm import settle_norm
from forecaster.pipeline.anomaly_shape import check_settings, holdout, no_windows, settle_window
from forecaster.pipeline.prepare import Grid, fold_data, on_grid
from forecaster.report import Reporter


def recon_config(frame: Frame, st: TrainSettings) -> ReconstructorConfig:
    """The reconstructor's shape for this data and these settings."""
    return ReconstructorConfig(
        n_channels=len(frame.columns), window=st.anomaly_window, segment=st.anomaly_segment,
        cell=st.cell, hidden=st.anomaly_hidden, layers=st.anomaly_layers,
        latent=st.anomaly_latent, dropout=st.dropout if st.anomaly_layers > 1 else 0.0,
        layer_norm=st.layer_norm, bidirectional=st.anomaly_bidirectional,
        norm=st.anomaly_norm,
        norm_channels=st.anomaly_norm_channels if st.anomaly_norm == "revin" else None)


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
    blocks = folds or [on_grid(f, grid) for f in holdout(grid.n_covered, st)]
    st = settle_window(st, blocks, report)
    if not st.anomaly:
        return {}  # too short for any anomaly window: skipped, with a warning
    check_settings(st)
    st = _settle_norm(frame, grid, st, blocks, report)
    sta = replace(st, window=st.anomaly_window, segment=st.anomaly_segment)
    oof, best_epochs = _oof_errors(frame, grid, sta, blocks, device, report)
    center, scale = robust_stats(oof)
    _warn_unseen(frame, scale, report)
    _, oof_scores = normalise(oof, center, scale, len(frame.spec.targets))
    net, epochs = _final_fit(frame, grid, sta, best_epochs, device, report)
    meta["anomaly"] = _meta(frame, st, sta, center, scale, oof_scores, epochs)
    kind = "floor" if st.anomaly_threshold == "telemanom" else "threshold"
    report.note(f"anomaly {kind} ({st.anomaly_threshold}): "
                f"{meta['anomaly']['threshold']['value']:.3g} from out-of-fold scores")
    return _tensors(net, oof_scores)


def _tensors(net: Reconstructor, oof_scores: np.ndarray) -> dict[str, torch.Tensor]:
    """The bundle tensors: the final weights and the normalised out-of-fold scores."""
    tensors = {f"anomaly.net.{k}": v for k, v in net.state_dict().items()}
    tensors["anomaly.oof_scores"] = torch.from_numpy(oof_scores.astype(np.float32))
    return tensors


def _settle_norm(frame: Frame, grid: Grid, st: TrainSettings, blocks: list[Fold],
                 report: Reporter) -> TrainSettings:
    """Settle the anomaly normalisation on the rows before the first block's end."""
    first = min(f.train_hi for f in blocks)  # nothing at or after it chooses the norm
    return settle_norm(st, frame, [min(max(first - o, 0), len(s.index))
                                   for s, o in zip(frame.series, grid.offsets, strict=True)],
                       report)


def _oof_errors(frame: Frame, grid: Grid, sta: TrainSettings, blocks: list[Fold],
                device: torch.device, report: Reporter) -> tuple[np.ndarray, list[int]]:
    """Out-of-fold errors of all blocks, NaN rows between them, and each fold's best epoch."""
    errors, best_epochs = [], []
    for i, f in enumerate(blocks):
        err, best = _fold_errors(frame, grid, sta, f, device, report, f"anomaly fold {i + 1}"
                                 f"/{len(blocks)}")
        errors.append(err)
        best_epochs.append(best)
    oof = np.concatenate(errors)  # (steps, channels) with NaN rows between blocks
    if not np.isfinite(oof).any():
        raise no_windows(frame)
    return oof, best_epochs


def _warn_unseen(frame: Frame, scale: np.ndarray, report: Reporter) -> None:
    """Warn of the target columns no fold's validation block calibrated."""
    k = len(frame.spec.targets)
    unseen = [c for c, s in zip(frame.spec.targets, scale[:k], strict=True) if s >= UNCALIBRATED]
    if unseen:  # a column that starts late, one no validation block read, or a sparse one
        report.warn(f"no anomaly fold validated {', '.join(map(repr, unseen))} (too few "
                    "readings before each fold's end, none in its block, or over a quarter "
                    "of each window filled in): its anomalies are not scored; give more "
                    "history, fewer --folds, or bin a sparse column to its own step "
                    "(--resample)")


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
    net = new_reconstructor(recon_config(frame, sta), sta.seed)
    with report.epochs(label, sta.anomaly_epochs) as hook:
        hist = _fit(net, data.train, data.early, sta, device, hook)
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
    net = new_reconstructor(recon_config(frame, sta), sta.seed)
    with report.epochs("anomaly final model", epochs) as hook:
        _fit(net, every, None, sta, device, hook, fixed_epochs=epochs)
    return net, epochs


def _fit(net: Reconstructor, train: WindowSet, early: WindowSet | None, sta: TrainSettings,
         device: torch.device, hook: EpochHook, fixed_epochs: int | None = None) -> History:
    try:
        return fit(net, reconstruction_loss, train, early, anomaly_train_config(sta), device,
                   hook, fixed_epochs=fixed_epochs)
    except Diverged as exc:  # no option sets its learning rate: the data is the suspect
        raise ConfigError(f"the anomaly model's {exc}; check the data for extreme values, "
                          "or train with --no-anomaly") from None


def _meta(frame: Frame, st: TrainSettings, sta: TrainSettings, center: np.ndarray,
          scale: np.ndarray, oof_scores: np.ndarray, epochs: int) -> dict:
    config = recon_config(frame, sta)
    # Out-of-fold runs closer than half a window are one fault's (thresholds.set_aside),
    # chosen with benchmarks/validation_faults.py: a whole window joined a square wave's
    # transitions into runs past the set-aside budget, and its faults stayed hidden.
    gap = config.window // 2
    thresholds = {r: _finite(calibrate(oof_scores, r, st.anomaly_q, st.anomaly_k,
                                       st.anomaly_trim, gap)) for r in RULES}
    value = thresholds[st.anomaly_threshold]
    ok = oof_scores[~np.isnan(oof_scores)]
    return {
        "method": "reconstruction",
        "config": config.to_dict(),
        "train": anomaly_train_config(sta).to_dict(), "final_epochs": epochs,
        "combine": st.anomaly_combine, "smooth": st.anomaly_smooth,
        "normalisation": {"center": center.tolist(), "scale": scale.tolist(),
                          "columns": frame.columns},
        "threshold": {"rule": st.anomaly_threshold, "value": value, "q": st.anomaly_q,
                      "k": st.anomaly_k, "trim": st.anomaly_trim, "prune": st.anomaly_prune,
                      "gap": gap, "all_rules": thresholds},
        "oof": {"steps": int(ok.size), "flagged_share": float((ok >= value).mean())
                if ok.size else 0.0},
        "stuck": _stuck(frame),
    }


def _stuck(frame: Frame) -> dict:
    """Per series and channel, the longest run of equal readings not called stuck, and
    the longer ones of the values it rests at (only series that have such levels)."""
    limits = {s.name: run_limits(s.values, s.observed) for s in frame.series}
    levels = {s.name: run_levels(s.values, s.observed, limits[s.name]) for s in frame.series}
    return {"limits": limits, "levels": {k: v for k, v in levels.items() if any(v)}}


def _finite(x: float) -> float:
    # JSON in the bundle refuses inf; a huge threshold flags nothing, as inf would.
    return float(x) if np.isfinite(x) else 1e30
