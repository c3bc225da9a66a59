"""How ``detect-anomalies`` scores a series: reconstruction errors or forecast residuals,
their out-of-fold normalisation, and the calibrated threshold that goes with them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from forecaster.anomaly.series_scores import (
    forecast_errors,
    forecast_oof_scores,
    forecast_stats,
    reconstruction_errors,
)
from forecaster.anomaly.settings import DetectSettings
from forecaster.anomaly.thresholds import RULES, calibrate, telemanom_cap
from forecaster.bundle import Bundle
from forecaster.config import TrainSettings
from forecaster.data.loading import Series
from forecaster.data.scaling import Scaler
from forecaster.errors import BundleError, ConfigError
from forecaster.models.reconstructor import Reconstructor, ReconstructorConfig
from forecaster.models.restore import restore
from forecaster.pipeline.predicting import load_forecaster


@dataclass
class Scorer:
    """How one method scores a series, and the threshold that goes with it."""

    method: str
    center: np.ndarray
    scale: np.ndarray
    threshold: float
    rule: str
    prune: float
    run: object  # (series, scaler, cutoff) -> raw errors (steps, channels)
    need: int  # rows a series needs to be scored
    # Runs closer than this many steps are one event: one window, chosen on the NAB
    # development files (half a window split one fault into several alerts).
    merge: int = 1
    cap: float = float("inf")  # telemanom rule: the dynamic part never exceeds it
    # Series -> per-channel limits of repeated readings (anomaly/stuck.py); None in
    # bundles from before them.
    stuck: dict[str, list[int]] | None = None
    # Series -> per-channel [value, limit] of the values it rests at, with limits of their
    # own; None in bundles from before them.
    levels: dict[str, list[list[list[float]]]] | None = None


def make_scorer(bundle: Bundle, ds: DetectSettings, device: torch.device) -> Scorer:
    """The scorer of ``ds.method`` from the bundle: reconstruction errors (the default) or
    forecast residuals, with their normalisation and calibrated threshold."""
    if _method(bundle, ds) == "forecast":
        return _forecast_scorer(bundle, ds, device)
    info = bundle.meta.get("anomaly")
    if not info:
        raise ConfigError(f"{bundle.path}: this bundle has no anomaly model (trained with "
                          "--no-anomaly, or on too little data for one); retrain without "
                          "--no-anomaly, or use --method forecast")
    net = _load_reconstructor(bundle, info)
    if "anomaly.oof_scores" not in bundle.tensors:
        raise BundleError(f"{bundle.path}: the anomaly model's out-of-fold scores are missing "
                          "from its weights file; retrain with 'forecast train'")
    norm = info["normalisation"]
    rule, thr = _threshold(bundle, info["threshold"], ds,
                           bundle.tensors["anomaly.oof_scores"].numpy())

    def run(s: Series, scaler: Scaler, cutoff: int) -> np.ndarray:
        return reconstruction_errors(net, s, scaler, cutoff, info["combine"], info["smooth"],
                                     device)

    rec = info["threshold"]
    oof = bundle.tensors["anomaly.oof_scores"].numpy()
    cap = telemanom_cap(oof, _pick(ds.k, rec["k"]), rec["trim"], rec.get("gap", 0))
    return Scorer("reconstruction", np.asarray(norm["center"]), np.asarray(norm["scale"]),
                   thr, rule, _pick(ds.prune, rec["prune"]), run, net.cfg.window,
                   merge=net.cfg.window, cap=cap, stuck=stuck_limits(bundle),
                   levels=stuck_levels(bundle))


_TRAIN = TrainSettings()  # only its anomaly_* defaults are read
_DEFAULT_RECORD = {"rule": _TRAIN.anomaly_threshold, "q": _TRAIN.anomaly_q,
                   "k": _TRAIN.anomaly_k, "trim": _TRAIN.anomaly_trim,
                   "prune": _TRAIN.anomaly_prune}


def _method(bundle: Bundle, ds: DetectSettings) -> str:
    """The method ``auto`` stands for: forecast residuals for a forecaster of step changes.

    A meter's levels leave the range its anomaly model was trained on within weeks, and
    a reconstruction of levels then scores every new step high; its forecaster reads
    step changes, so its residuals stay comparable, and a jump shows at its step.
    """
    if ds.method != "auto":
        return ds.method
    if ds.lead is not None:
        return "forecast"
    steps = bundle.meta["forecaster"]["config"].get("norm") == "diff"
    calibrated = bundle.tensors.get("intervals.quantiles") is not None
    return "forecast" if steps and calibrated else "reconstruction"


def _forecast_scorer(bundle: Bundle, ds: DetectSettings, device: torch.device) -> Scorer:
    q = bundle.tensors.get("intervals.quantiles")
    if q is None:
        raise ConfigError(f"{bundle.path}: no out-of-fold forecast residuals (trained with "
                          "--folds 0); retrain with folds to use --method forecast")
    net = load_forecaster(bundle)
    lead = net.cfg.horizon if ds.lead == "horizon" else int(ds.lead or 1)
    if not 1 <= lead <= net.cfg.horizon:
        raise ConfigError(f"--lead {lead}: the forecaster looks {net.cfg.horizon} step(s) "
                          f"ahead; give a lead from 1 to {net.cfg.horizon}")
    center, scale = forecast_stats(q.numpy(), lead)
    # Without an anomaly model (--no-anomaly), the training defaults: the same forecaster
    # scored alike whether or not a reconstruction model was fitted beside it (k was 4
    # without one and 8 with one).
    recorded = (bundle.meta.get("anomaly") or {}).get("threshold") or _DEFAULT_RECORD
    if ds.rule == "dynamic":
        raise ConfigError(f"--threshold dynamic: forecast residuals (--method {ds.method}) "
                          "keep residual quantiles only, not the residual series the dynamic "
                          "rule needs; use telemanom, std or quantile, or --method "
                          "reconstruction")
    rule = ds.rule or recorded["rule"]
    if rule not in ("quantile", "telemanom"):
        # Only residual quantiles are stored, not the residual series a dynamic or
        # trimmed-std rule needs: fall back to k robust sd, the std rule's meaning.
        thr = float(_pick(ds.k, recorded["k"]))
        rule = "std"
    elif rule == "telemanom":
        # The floor: k robust sd of the one-step residuals (no residual series is
        # stored to smooth); the dynamic part is chosen on the scored residuals.
        thr = max(float(_pick(ds.k, recorded["k"])), 3.0)
    else:
        thr = calibrate(forecast_oof_scores(q.numpy(), center, scale, lead), "quantile",
                        min(_pick(ds.q, recorded["q"]), 0.99), 0.0, 0.0)

    _check_used(rule, ds)
    fill = bundle.meta["data"]["spec"].get("fill", "interpolate")

    def run(s: Series, scaler: Scaler, cutoff: int) -> np.ndarray:
        return np.abs(forecast_errors(net, s, scaler, cutoff, device, fill, lead=lead))

    return Scorer("forecast", center, scale, thr, rule, float(recorded.get("prune", 0.13)), run,
                   net.cfg.window + lead, merge=net.cfg.window, stuck=stuck_limits(bundle),
                   levels=stuck_levels(bundle))


def stuck_limits(bundle: Bundle) -> dict[str, list[int]] | None:
    """The training data's limits of repeated readings, kept with the anomaly model."""
    return ((bundle.meta.get("anomaly") or {}).get("stuck") or {}).get("limits")


def stuck_levels(bundle: Bundle) -> dict[str, list[list[list[float]]]] | None:
    """The training data's levels of repeated readings, with their own limits."""
    return ((bundle.meta.get("anomaly") or {}).get("stuck") or {}).get("levels")


def _threshold(bundle: Bundle, rec: dict, ds: DetectSettings,
               oof: np.ndarray) -> tuple[str, float]:
    """The recorded threshold, or one re-calibrated on the stored out-of-fold scores."""
    rule = ds.rule or rec["rule"]
    if rule not in RULES:
        raise ConfigError(f"--threshold {rule}: expected one of {', '.join(RULES)}")
    _check_used(rule, ds)
    if rule == rec["rule"] and ds.q is None and ds.k is None:
        return rule, float(rec["value"])
    return rule, calibrate(oof, rule, _pick(ds.q, rec["q"]), _pick(ds.k, rec["k"]), rec["trim"],
                           rec.get("gap", 0))


def _check_used(rule: str, ds: DetectSettings) -> None:
    """Refuse --q or --k where this run's rule does not read it: it changed nothing."""
    if ds.q is not None and rule != "quantile":
        raise ConfigError(f"--q {ds.q:g}: only the quantile rule reads it, and this run's "
                          f"rule is {rule}; add --threshold quantile or drop --q")
    if ds.k is not None and rule not in ("std", "telemanom"):
        raise ConfigError(f"--k {ds.k:g}: only the std and telemanom rules read it, and "
                          f"this run's rule is {rule}; add --threshold std or drop --k")


def _pick(value: float | None, recorded: float) -> float:
    return recorded if value is None else value


def _load_reconstructor(bundle: Bundle, info: dict) -> Reconstructor:
    try:
        cfg = ReconstructorConfig(**info["config"])
        net = restore(lambda: Reconstructor(cfg), bundle.section("anomaly.net"))
    except (TypeError, KeyError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0][:200]
        raise BundleError(f"{bundle.path}: anomaly weights are damaged or do not match "
                          f"their config ({first}); retrain with 'forecast train'") from None
    return net.eval()
