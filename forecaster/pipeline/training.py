"""``forecast train``: folds, per-fold metrics against baselines, the final fit, the bundle."""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import forecaster
from forecaster.baselines import season_length
from forecaster.bundle import Bundle, save_bundle
from forecaster.config import TrainSettings
from forecaster.data.folds import Fold
from forecaster.data.loading import Frame, file_sha256
from forecaster.data.scaling import Scaler, origin_params
from forecaster.data.windows import WindowSet
from forecaster.errors import DataError
from forecaster.models.train import predict_batches
from forecaster.ops.lock import check_own_folder, check_writable, model_lock
from forecaster.pipeline import intervals
from forecaster.pipeline.devices import deterministic_mode, resolve_device
from forecaster.pipeline.ensemble import fit_ensemble, model_config, train_config
from forecaster.pipeline.evaluation import (
    counter_directions,
    fold_truth,
    mase_scales,
    nonnegative,
    settle_points,
    to_raw,
)
from forecaster.pipeline.floor_check import warn_forced_floor
from forecaster.pipeline.fold_report import fold_scores, show_folds
from forecaster.pipeline.outliers import warn_outliers
from forecaster.pipeline.prepare import (
    FoldData,
    Grid,
    fold_data,
    grid_time,
    plan_folds,
    read_frame,
    thinned,
)
from forecaster.pipeline.shape import (
    check_final_length,
    fit_series,
    length_option,
    resolve_norm,
    resolve_shape,
    warn_constant,
    warn_unused,
)
from forecaster.pipeline.warm import (
    check_step,
    continue_settings,
    inherited,
    initial_states,
    no_bundle,
    previous_bundle,
    warn_lost_series,
)
from forecaster.report import Reporter


@dataclass
class TrainResult:
    """What a train run produced: the new bundle's directory and its metadata."""

    bundle_dir: Path
    meta: dict


def train(csv_path: str | Path, st: TrainSettings, report: Reporter | None = None) -> TrainResult:
    """Evaluate on forward-chaining folds, fit the final model on all data, save the bundle.

    Args:
        csv_path: the training CSV.
        st: the settings.
        report: where messages go.

    Returns:
        The saved bundle's directory and metadata.
    """
    report = report or Reporter(quiet=True)
    # Absolute, links kept: a link repointed by log rotation (current.csv -> 2026-03.csv)
    # is what later commands must read.
    path = Path(os.path.abspath(csv_path))
    check_own_folder(Path(st.model_dir))  # before a long read, not after it
    if st.warm_start:
        st = continue_settings(st)
    # Digest taken now: rows appended while training are not the model's.
    frame = replace(read_frame(path, st.data, report), sha256=file_sha256(path))
    if st.warm_start:
        check_step(Path(st.model_dir), frame, path)
    given, st = st, resolve_shape(st, frame, report)
    if st.deterministic:  # before CUDA starts: see deterministic_mode
        deterministic_mode()
    device = resolve_device(st.device)
    frame, grid, st = fit_series(frame, given, st, str(path), report)
    check_final_length(frame, st, str(path), length_option(given))
    warn_constant(frame, report)  # after the length check: one row is "constant" too
    warn_outliers(frame, report)
    warn_unused(st, report)
    warn_forced_floor(frame, st.nonnegative, report)
    folds = plan_folds(frame, grid, st, str(path), length_option(given))
    first = min((f.train_hi for f in folds), default=grid.n)
    st = resolve_norm(st, frame, grid.offsets, first, grid.n, report)
    if st.anomaly:
        from forecaster.pipeline.anomaly_shape import check_early, check_scorable

        st = check_early(st, folds, grid.n, report, len(frame.series))
        check_scorable(frame, st, path)
    if st.warm_start and not (Path(st.model_dir) / "CURRENT").is_file():
        raise no_bundle(st.model_dir)
    # Locked only once the data is known good, so bad input never creates a model directory.
    with model_lock(Path(st.model_dir), st.wait):
        check_writable(Path(st.model_dir))  # before the training, not after it
        return _train(path, frame, grid, folds, st, device, report)


def _train(path: Path, frame: Frame, grid: Grid, folds: list[Fold], st: TrainSettings,
           device: torch.device, report: Reporter) -> TrainResult:
    """Fit the folds, the final model and the anomaly model; save the bundle."""
    prev = _previous(path, frame, st, report)
    # A warm start inherits the forecaster's fold metrics; the anomaly model, refit from
    # scratch, still calibrates on every fold (one block moved its threshold on the same data).
    evaluated = [] if prev else folds
    results = [_run_fold(frame, grid, st, f, device, report, i, len(evaluated))
               for i, f in enumerate(evaluated)]
    show_folds(report, results, frame, st)
    net, data, epochs = _final_model(frame, grid, st, results, prev, device, report)
    residuals, network, volatility = _pop_residuals(results)
    meta = _meta(path, frame, st, data.scalers, results, epochs)
    meta["forecaster"].update(_point_rules(frame, grid, st))
    tensors = {f"forecaster.{k}": v for k, v in net.state_dict().items()}
    if residuals:
        tensors.update(_interval_tensors(residuals, network, volatility, report))
        intervals.warn_unvalidated(residuals, frame.spec.targets, report)
    if prev:
        _inherit(prev, meta, tensors)
    if st.anomaly:
        tensors.update(_anomaly_tensors(path, frame, grid, st, folds, device, report, meta))
    out = save_bundle(Path(st.model_dir), Bundle(meta=meta, tensors=tensors), keep=st.keep)
    report.note(f"saved model bundle to {st.model_dir}")
    return TrainResult(bundle_dir=out, meta=meta)


def _previous(path: Path, frame: Frame, st: TrainSettings, report: Reporter) -> Bundle | None:
    """The bundle a warm start continues from (None for a cold start)."""
    prev = (previous_bundle(Path(st.model_dir), frame, model_config(frame, st), st.ensemble)
            if st.warm_start else None)
    if prev:
        warn_lost_series(prev, frame, path, report)
    return prev


def _final_model(frame: Frame, grid: Grid, st: TrainSettings, results: list[dict],
                 prev: Bundle | None, device: torch.device,
                 report: Reporter) -> tuple[torch.nn.Module, FoldData, int | None]:
    """Fit the final ensemble on all data; with it, the data and the epochs the folds chose."""
    epochs = int(np.median([r["best_epoch"] for r in results])) if results else None
    data = fold_data(frame, grid, st, 0, grid.n, None)
    # With folds, the final model trains on every window for the epochs the folds chose.
    train_set = data.train if epochs is None else _all_windows(data)
    net, _ = fit_ensemble(frame, st, train_set, data.early if epochs is None else None,
                          device, report, "final model", fixed_epochs=epochs,
                          init=initial_states(prev) if prev else None)
    return net, data, epochs


def _pop_residuals(results: list[dict]) -> tuple[list[np.ndarray], ...]:
    """Take the folds' residuals, network residuals and volatilities out of their results."""
    return ([r.pop("residuals") for r in results], [r.pop("network_residuals") for r in results],
            [r.pop("volatility") for r in results])


def _point_rules(frame: Frame, grid: Grid, st: TrainSettings) -> dict:
    """The targets floored at zero, and each series' counters (target -> +1/-1)."""
    floor = nonnegative(frame, grid.offsets, 0, grid.n, st.nonnegative)
    held = counter_directions(frame, grid.offsets, 0, grid.n)  # series -> target -> +1/-1
    return {"nonnegative": [t for t, f in zip(frame.spec.targets, floor, strict=True) if f],
            "counters": {
                s.name: {t: int(d) for t, d in zip(frame.spec.targets, row, strict=True) if d}
                for s, row in zip(frame.series, held, strict=True) if row.any()}}


def _inherit(prev: Bundle, meta: dict, tensors: dict[str, torch.Tensor]) -> None:
    """Take a warm start's fold metrics and interval tensors from the bundle it continues."""
    meta["metrics"]["folds"], kept = inherited(prev)
    tensors.update(kept)
    meta["warm_start"] = {"from": prev.path.name, "inherited": ["fold metrics", "intervals"]}


def _anomaly_tensors(path: Path, frame: Frame, grid: Grid, st: TrainSettings, folds: list[Fold],
                     device: torch.device, report: Reporter,
                     meta: dict) -> dict[str, torch.Tensor]:
    """Fit the anomaly model (filling ``meta["anomaly"]``); its tensors."""
    from forecaster.pipeline.anomaly_fit import fit_anomaly

    try:
        return fit_anomaly(frame, grid, st, folds, device, report, meta)
    except DataError as exc:  # its messages cannot name the file: name it here
        raise DataError(f"{path}: {exc}") from None


def _interval_tensors(residuals: list[np.ndarray], network: list[np.ndarray],
                      volatility: list[np.ndarray], report: Reporter) -> dict:
    """The interval calibration from the folds' out-of-fold residuals, with a warning
    when too few windows hold them to place a band's tails."""
    count = sum(len(r) for r in residuals)
    if count < intervals.MIN_INTERVAL_WINDOWS:
        report.warn(f"the prediction intervals rest on {count} out-of-fold window(s), too "
                    "few to calibrate them (their width is a rough guide only); give more "
                    "history, a longer --val-size or a shorter --horizon")
    # Unscaled quantiles of the unfloored forecasts: detect-anomalies' residual
    # distribution (predict reads them only from bundles older than vol_quantiles).
    return {"intervals.quantiles": torch.from_numpy(intervals.interval_quantiles(network)),
            "intervals.vol_quantiles": torch.from_numpy(
                intervals.interval_quantiles(residuals, volatility, intervals.VOL_POWER)),
            "intervals.vol_power": torch.tensor([intervals.VOL_POWER], dtype=torch.float32)}


def _all_windows(data: FoldData) -> WindowSet:
    t, e = data.train, data.early
    return WindowSet(t.inputs, t.targets, t.weights, torch.cat([t.starts, e.starts]),
                     t.window, t.horizon)


def _run_fold(frame: Frame, grid: Grid, st: TrainSettings, fold: Fold, device: torch.device,
              report: Reporter, i: int, n: int) -> dict:
    data = thinned(fold_data(frame, grid, st, fold.train_lo, fold.train_hi,
                             (fold.val_lo, fold.val_hi)))
    net, best = fit_ensemble(frame, st, data.train, data.early, device, report,
                             f"fold {i + 1}/{n}")
    pred = predict_batches(net, data.val.to(device)).numpy()  # (windows, horizon, targets)
    floor = nonnegative(frame, grid.offsets, fold.train_lo, fold.train_hi, st.nonnegative)
    network = to_raw(pred, data.val_origins, data.scalers, len(frame.spec.targets))
    held = counter_directions(frame, grid.offsets, fold.train_lo, fold.train_hi)
    raw = settle_points(frame, network, data.val_origins, floor, held)
    m = season_length(frame.freq)
    truth, naive, snaive = fold_truth(frame, data.val_origins, st.horizon, m)
    # A channel that sat the fold out was not forecast: no metric, no interval residual.
    k = len(frame.spec.targets)
    truth = np.where(data.sat_out[data.val_origins[:, 0], None, :k], np.nan, truth)
    unit = np.broadcast_to(mase_scales(frame, grid.offsets, fold.train_lo, fold.train_hi, m)[
        data.val_origins[:, 0]][:, None, :], truth.shape)  # (windows, horizon, targets)
    scale = origin_params(data.scalers, data.val_origins[:, 0],
                          len(frame.spec.targets))[0][:, None, :]  # (windows, 1, targets)
    return {
        "fold": i + 1, "train_start": str(grid_time(frame, grid, fold.train_lo)),
        "train_end": str(grid_time(frame, grid, fold.train_hi - 1)),
        "val_start": str(grid_time(frame, grid, fold.val_lo)),
        "val_end": str(grid_time(frame, grid, fold.val_hi - 1)),
        "windows": int(len(pred)), "best_epoch": int(np.median(best)),
        **fold_scores(truth, raw, naive, snaive, unit),
        # Per target as well: pooled, targets in kW and in % make one meaningless MAE.
        "targets": {t: fold_scores(*(a[..., j] for a in (truth, raw, naive, snaive, unit)))
                    for j, t in enumerate(frame.spec.targets)} if raw.shape[-1] > 1 else {},
        "season": m, "residuals": ((truth - raw) / scale).astype(np.float32),
        # The network's own residuals, unfloored: what --method forecast scores. Floored,
        # a count that is mostly 0 has mostly zero residuals, a scale near 0, and every
        # burst became an alarm (24 false events on NAB's rogue_agent_key_hold).
        "network_residuals": ((truth - network) / scale).astype(np.float32),
        "volatility": intervals.window_volatility(frame, data.val_origins, st.window,
                                                  data.scalers, scaled=True).astype(np.float32),
    }


def _meta(path: Path, frame: Frame, st: TrainSettings, scalers: list[Scaler],
          results: list[dict], epochs: int | None) -> dict:
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": {"forecaster": forecaster.__version__, "torch": torch.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__,
                     "python": platform.python_version()},
        "settings": st.to_dict(),
        "data": {
            "path": str(path), "sha256": frame.sha256, "freq": frame.freq,
            "spec": frame.spec.to_dict(), "columns": frame.columns,
            "targets": frame.spec.targets, "n_filled": frame.n_filled,
            "series": {s.name: {"first": s.index[0].isoformat(), "last": s.index[-1].isoformat(),
                                "rows": len(s.index)} for s in frame.series},
            **({} if frame.time_offsets is None else {"time_offsets": list(frame.time_offsets)}),
        },
        "scalers": {s.name: sc.to_dict() for s, sc in zip(frame.series, scalers, strict=True)},
        "forecaster": {"config": model_config(frame, st).to_dict(), "members": st.ensemble,
                       "train": train_config(st).to_dict(), "final_epochs": epochs},
        "metrics": {"folds": results},
    }
