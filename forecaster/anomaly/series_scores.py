"""Raw per-step errors of one series, by reconstruction or by one-step forecast residual."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from forecaster.anomaly.scores import combine_steps, smooth, window_errors
from forecaster.data.carry import carried
from forecaster.data.loading import Series
from forecaster.data.scaling import Scaler
from forecaster.data.windows import WindowSet, assemble, window_starts
from forecaster.metrics import QUANTILE_GRID
from forecaster.models.forecaster_net import ForecasterNet
from forecaster.models.reconstructor import Reconstructor


def reconstruction_errors(net: Reconstructor, s: Series, scaler: Scaler, cutoff: int,
                          combine: str, span: int, device: torch.device,
                          chunk: int = 16384) -> np.ndarray:
    """Per-step errors (steps, channels) for steps from ``cutoff`` on, NaN before and
    where masked; windows reach back into the history for context.

    Steps are combined ``chunk`` at a time from the windows that cover them, so that
    memory grows with ``chunk`` and not with the length of the series (the windows
    straddling two chunks are scored twice: (window - 1) / chunk extra work).
    """
    w, n, ch = net.cfg.window, len(s.index), s.values.shape[1]
    lo = max(0, cutoff - w + 1 - (span - 1))
    starts = window_starts(n, w, 0, lo, lo, n)
    data = assemble([(scaler.transform(s.values), s.observed, starts)], ch, w, 0).to(device)
    net = _on(net, device)
    steps = np.full((n, ch), np.nan, dtype=np.float32)
    for a in range(lo, n, chunk):
        b = min(a + chunk, n)
        i0, i1 = np.searchsorted(starts, [a - w + 1, b])  # windows touching [a, b)
        part = WindowSet(data.inputs, data.targets, data.weights, data.starts[i0:i1], w, 0)
        steps[a:b] = combine_steps(window_errors(net, part), starts[i0:i1], b - a, combine, a)
    steps = smooth(steps, span)
    steps[:cutoff] = np.nan
    return steps


@torch.inference_mode()
def forecast_errors(net: ForecasterNet, s: Series, scaler: Scaler, cutoff: int,
                    device: torch.device, fill: str, batch_size: int = 1024,
                    lead: int = 1) -> np.ndarray:
    """Residuals (steps, targets) in scaled units of the network's forecasts made ``lead``
    steps ahead (never floored at 0, like the out-of-fold residuals they are compared
    with), NaN before ``cutoff``, before the first full window and at filled steps.

    One step ahead, a forecaster follows a holiday or an outage within the hour; a day
    ahead, it still expects an ordinary day, so such context anomalies show. ``fill`` is
    the data's gap policy: filled inputs are read as in training (``data/carry.py``).
    """
    w, k, n = net.cfg.window, net.cfg.n_targets, len(s.index)
    scaled = scaler.transform(carried(s.values, s.observed, fill))  # inputs read no later rows
    mask = s.observed.all(axis=1, keepdims=True).astype(np.float32)
    inputs = torch.from_numpy(np.concatenate([scaled, mask], axis=1))
    targets = np.arange(max(cutoff, w + lead - 1), n)  # steps forecast, `lead` steps before
    out = np.full((n, k), np.nan, dtype=np.float32)
    views = inputs.unfold(0, w, 1)  # (n - w + 1, channels + 1, w)
    net = _on(net, device).eval()
    for i in range(0, len(targets), batch_size):
        t = torch.from_numpy(targets[i:i + batch_size] - w - lead + 1)
        pred = net(views[t].transpose(1, 2).to(device))[:, lead - 1].float().cpu().numpy()
        out[targets[i:i + batch_size]] = scaled[targets[i:i + batch_size], :k] - pred
    return np.where(s.observed[:, :k], out, np.nan)


def _on(net: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    # .to() walks every parameter even where they are already: 1.4 ms a series, which
    # thousands of hosts scored one row each (--last 1) paid each.
    first = next(net.parameters(), None)
    here = first is None or first.device == device or (
        device.index is None and first.device.type == device.type)  # "cuda" is "cuda:0"
    return net if here else net.to(device)


def forecast_stats(quantiles: np.ndarray, lead: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Centre and robust scale of out-of-fold residuals ``lead`` steps ahead per target,
    from the stored residual quantiles (levels, horizon, targets): median and IQR / 1.349."""
    h1 = quantiles[:, lead - 1, :]  # (levels, targets)
    q = [np.array([np.interp(p, QUANTILE_GRID, h1[:, j]) for j in range(h1.shape[1])])
         for p in (0.25, 0.5, 0.75)]
    return q[1], np.maximum((q[2] - q[0]) / 1.349, 1e-6)


def forecast_oof_scores(quantiles: np.ndarray, center: np.ndarray,
                        scale: np.ndarray, lead: int = 1) -> np.ndarray:
    """Out-of-fold normalised absolute residuals implied by the stored quantiles, one
    value per quantile level and target: the calibration sample of ``--method forecast``."""
    h1 = quantiles[:, lead - 1, :]
    z = np.abs(h1 - center[None, :]) / scale[None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a target with no residuals: NaN
        return np.nanmax(z, axis=1).astype(np.float32)
