"""From window reconstruction errors to normalised per-step scores.

Every step is covered by up to ``window`` windows; their errors at that step are
combined (median or mean), then each channel is normalised by robust statistics
of out-of-fold errors, so that a score of 0 is a typical out-of-fold error and a
score of 1 is one robust standard deviation above it, in every series and file.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from forecaster.data.windows import WindowSet

# Errors are in scaled units (1 = one standard deviation of the series); a scale
# below a tenth of it turns the tiny error differences between fold models and the
# final model on a noise-free series into alarms (NAB artificialNoAnomaly: 0.02 did).
MIN_ERROR_SCALE = 0.1
MAD_TO_SD = 1.4826
# A window more than this share filled in (a long outage interpolated) reconstructs its
# observed steps badly too: after a 36-hour gap in hourly data, the clean rows just before
# it scored 10 robust sd and raised a false "high" event. Such windows are no evidence.
MAX_FILLED_SHARE = 0.25


@torch.inference_mode()
def window_errors(net: torch.nn.Module, data: WindowSet, batch_size: int = 512) -> np.ndarray:
    """Absolute reconstruction errors (windows, window, channels), NaN at filled steps and
    in every step of a window's channel more than ``MAX_FILLED_SHARE`` filled in."""
    net.eval()
    out = []
    for i in range(0, len(data), batch_size):
        idx = torch.arange(i, min(i + batch_size, len(data)), device=data.starts.device)
        x, y, w = data.batch(idx)  # w: (batch, window, channels), 0 where filled in
        err = (net(x) - y).abs().float()
        # Per channel: a column sampled every 4th row is no reason to drop the others'.
        filled = (w <= 0).float().mean(dim=1, keepdim=True)  # (batch, 1, channels)
        keep = (w > 0) & (filled <= MAX_FILLED_SHARE)
        out.append(torch.where(keep, err, torch.nan).cpu().numpy())
    if not out:
        return np.empty((0, data.window, data.targets.shape[1]), dtype=np.float32)
    return np.concatenate(out)


def combine_steps(errors: np.ndarray, starts: np.ndarray, n_steps: int,
                  how: str = "median", lo: int = 0) -> np.ndarray:
    """Per-step errors (n_steps, channels) from the windows covering each step.

    Args:
        errors: (windows, window, channels) errors, NaN where masked.
        starts: (windows,) first step of each window in the series.
        n_steps: steps combined: ``lo .. lo + n_steps - 1`` (the series length when
            ``lo`` is 0); window steps outside that range are left out.
        how: "median" (robust to the one window that fits a fault badly), "mean", or
            "last": the error of the step in the window that ends at it, so that a
            step's score uses no later rows (causal, as streaming scorers must be).
        lo: first step combined.

    Returns:
        NaN where no window covers a step or every covering error is masked.
    """
    n_win, width, ch = errors.shape
    table = np.full((n_steps, width, ch), np.nan, dtype=np.float32)
    steps = starts[:, None] - lo + np.arange(width)[None, :]  # (windows, window)
    pos = np.broadcast_to(np.arange(width)[None, :], steps.shape)
    inside = (steps >= 0) & (steps < n_steps)
    table[steps[inside], pos[inside]] = errors[inside]
    if how == "last":
        return table[:, -1]  # (n_steps, channels): the window ending at each step
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(table, axis=1) if how == "median" else np.nanmean(table, axis=1)


def smooth(errors: np.ndarray, span: int) -> np.ndarray:
    """Trailing mean over ``span`` steps per channel (1: unchanged), skipping NaN."""
    if span <= 1:
        return errors
    ok = ~np.isnan(errors)
    vals = np.where(ok, errors, 0.0)
    csum = np.cumsum(np.vstack([np.zeros((1, vals.shape[1])), vals]), axis=0)
    ccnt = np.cumsum(np.vstack([np.zeros((1, vals.shape[1])), ok]), axis=0)
    lo = np.maximum(np.arange(len(vals)) - span + 1, 0)
    hi = np.arange(1, len(vals) + 1)
    total, count = csum[hi] - csum[lo], ccnt[hi] - ccnt[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = total / count
    return np.where(ok, out, np.nan).astype(np.float32)


UNCALIBRATED = 1e30  # the robust scale of a channel without out-of-fold errors


def robust_stats(errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel median and robust scale (1.4826 MAD, floored) of out-of-fold errors.

    Median and MAD ignore the few faults a validation block may hold, which a mean
    and standard deviation would not.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a channel with no errors at all
        center = np.nanmedian(errors, axis=0)
        mad = np.nanmedian(np.abs(errors - center), axis=0) * MAD_TO_SD
    # A channel never observed in a validation block (a sensor that died) cannot be
    # calibrated: a scale no error reaches keeps it from ever raising a score.
    unseen = np.isnan(center)
    center, mad = np.where(unseen, 0.0, center), np.where(unseen, UNCALIBRATED, mad)
    return center.astype(np.float64), np.maximum(mad, MIN_ERROR_SCALE).astype(np.float64)


def normalise(errors: np.ndarray, center: np.ndarray, scale: np.ndarray,
              scored: int | None = None) -> np.ndarray:
    """Per-channel scores (steps, channels) and the overall score (steps,), the maximum
    over the first ``scored`` channels (the targets; all if None), so a fault in any one
    target shows; NaN stays NaN (masked steps).

    Input features are reconstructed and scored per channel, but do not make the overall
    score: as telemanom scores telemetry and not its commands, a 0/1 command channel's
    ordinary switching had set the floor above an 80-sigma spike of the target.
    """
    per = (errors - center[None, :]) / scale[None, :]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        overall = np.nanmax(per[:, :scored], axis=1)
    return per.astype(np.float32), overall.astype(np.float32)
