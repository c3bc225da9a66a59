"""Windows of (batch, timesteps, features) gathered from strided views, never copied up front.

A million-row file yields a million windows; materialising them would cost
window x features x 4 bytes each, so windows are views (``unfold``) and only
the rows of a batch are copied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class WindowSet:
    """Windows over several series laid end to end.

    Attributes:
        inputs: (total_timesteps, channels + 1) scaled values, then the observed mask.
        targets: (total_timesteps, targets) scaled target values.
        weights: (total_timesteps, targets) 1 where a target was observed, 0 if filled.
        starts: (n_windows,) first row of each input window.
        window: input length.
        horizon: forecast length after the window (0: the window itself is the target).
    """

    inputs: torch.Tensor
    targets: torch.Tensor
    weights: torch.Tensor
    starts: torch.Tensor
    window: int
    horizon: int

    def __len__(self) -> int:
        return int(self.starts.numel())

    def to(self, device: torch.device) -> WindowSet:
        """The same windows with their tensors on ``device``."""
        return WindowSet(self.inputs.to(device), self.targets.to(device),
                         self.weights.to(device), self.starts.to(device), self.window,
                         self.horizon)

    def batch(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Gather windows ``idx`` as (x, y, w).

        Returns:
            x: (batch, window, channels + 1); y and w: (batch, horizon or window, targets).
        """
        s = self.starts[idx]
        x = self.inputs.unfold(0, self.window, 1)[s].transpose(1, 2)  # (batch, window, ch)
        span = self.horizon or self.window
        t0 = s + self.window if self.horizon else s
        y = self.targets.unfold(0, span, 1)[t0].transpose(1, 2)  # (batch, span, targets)
        w = self.weights.unfold(0, span, 1)[t0].transpose(1, 2)  # (batch, span, targets)
        return x, y, w

    def scored(self) -> int:
        """Windows with at least one observed target: a masked loss over the others is 0.

        From running counts of the observed steps, not a gather of every window's targets.
        """
        if not len(self):
            return 0
        seen = (self.weights > 0).any(dim=1).to(torch.int64)
        total = torch.cat([seen.new_zeros(1), seen.cumsum(0)])
        span = self.horizon or self.window
        t0 = self.starts + (self.window if self.horizon else 0)
        return int(((total[t0 + span] - total[t0]) > 0).sum())


def window_starts(n: int, window: int, horizon: int, input_lo: int, target_lo: int,
                  target_hi: int, stride: int = 1) -> np.ndarray:
    """Starts of the windows whose inputs begin at or after ``input_lo`` and whose
    targets lie in ``[target_lo, target_hi)``.

    With ``horizon == 0`` the target is the window itself (reconstruction).
    """
    span = horizon or window
    lead = window if horizon else 0
    first = max(input_lo, target_lo - lead)
    last = min(n, target_hi) - span - lead  # inclusive
    if last < first:
        return np.empty(0, dtype=np.int64)
    return np.arange(first, last + 1, stride, dtype=np.int64)


def assemble(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_targets: int,
             window: int, horizon: int) -> WindowSet:
    """Lay series end to end and offset their window starts.

    Args:
        parts: per series, (scaled values (timesteps, channels), observed
            (timesteps, channels) bool, window starts within that series).
        n_targets: the first ``n_targets`` channels are targets.
        window: input length.
        horizon: forecast length (0 for reconstruction).
    """
    values = np.concatenate([p[0] for p in parts]).astype(np.float32)
    observed = np.concatenate([p[1] for p in parts])
    offsets = np.cumsum([0] + [len(p[0]) for p in parts[:-1]])
    starts = np.concatenate([p[2] + off for p, off in zip(parts, offsets, strict=True)])
    mask = observed.all(axis=1, keepdims=True).astype(np.float32)
    inputs = np.concatenate([values, mask], axis=1)  # (timesteps, channels + 1)
    return WindowSet(
        inputs=torch.from_numpy(inputs),
        targets=torch.from_numpy(np.ascontiguousarray(values[:, :n_targets])),
        weights=torch.from_numpy(observed[:, :n_targets].astype(np.float32)),
        starts=torch.from_numpy(starts.astype(np.int64)),
        window=window,
        horizon=horizon,
    )
