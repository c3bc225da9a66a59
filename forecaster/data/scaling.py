"""Per-series standard scaling fitted on a training part only, kept as plain floats."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Scaler:
    """Per-channel location and scale of one series.

    Attributes:
        mean: per-channel means of the training part.
        scale: per-channel standard deviations (1 for a constant channel).
    """

    mean: list[float]
    scale: list[float]

    @classmethod
    def fit(cls, values: np.ndarray, observed: np.ndarray) -> Scaler:
        """Fit on (timesteps, channels) training rows, observed values only.

        scikit-learn's scaler gives a constant channel a scale of 1, so a flat
        series scales to zeros rather than dividing by zero.
        """
        from sklearn.preprocessing import StandardScaler

        mean, scale = [], []
        for c in range(values.shape[1]):
            col = values[observed[:, c], c] if observed[:, c].any() else values[:, c]
            sc = StandardScaler().fit(col.astype(np.float64).reshape(-1, 1))
            mean.append(float(sc.mean_[0]))
            scale.append(float(sc.scale_[0]))
        return cls(mean=mean, scale=scale)

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Scale (timesteps, channels) values."""
        return ((values - np.asarray(self.mean)) / np.asarray(self.scale)).astype(np.float32)

    def inverse(self, values: np.ndarray, channels: slice = slice(None)) -> np.ndarray:
        """Undo ``transform`` for the given channels (last axis)."""
        return values * np.asarray(self.scale)[channels] + np.asarray(self.mean)[channels]

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return {"mean": self.mean, "scale": self.scale}
