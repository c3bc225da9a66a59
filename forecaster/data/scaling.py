"""Per-series standard scaling fitted on a training part only, kept as plain floats."""

from __future__ import annotations

import numpy as np

from forecaster.errors import NotFittedError

# Scaled values are held within this bound: a reading far outside the training spread (9e29
# on a series of sd 1e-9) overflowed float32 to inf, which the networks turn into NaN (empty
# forecasts, a spike left unscored). Held here it stays what it is, an extreme observed
# reading, with room left below float32's 3.4e38 for the sums the networks make of it.
SCALED_LIMIT = 1e37


class Scaler:
    """Per-channel location and scale of one series, in scikit-learn's estimator style.

    ``fit`` learns ``mean_``, ``scale_``, ``min_`` and ``max_`` (lists of floats, one per
    channel, so that they go into the bundle's JSON as they are) and returns the scaler;
    ``transform`` and ``inverse_transform`` use the first two (``origin_params`` gives
    them per window, to unscale windows of many series at once), and the drift gate the
    last two. A scaler read back from a bundle is made by ``from_dict``.

    Attributes:
        mean_: per-channel means of the training part.
        scale_: per-channel standard deviations (1 for a constant channel).
        min_: per-channel least training values; None when read from a bundle saved
            before they were kept.
        max_: per-channel greatest training values; None likewise.
    """

    def fit(self, values: np.ndarray, observed: np.ndarray) -> Scaler:
        """Fit on (timesteps, channels) training rows, observed values only.

        scikit-learn's scaler gives a constant channel a scale of 1, so a flat
        series scales to zeros rather than dividing by zero. Each channel is fitted
        after subtracting its median: scikit-learn takes a channel whose spread is
        small against its mean (a sd of 3 on a level of 1e13) for a constant one and
        leaves it unscaled, while its differences from the median are exact.

        Args:
            values: (timesteps, channels) training rows.
            observed: same shape, False where a value was filled in (not evidence).

        Returns:
            The fitted scaler itself.
        """
        from sklearn.preprocessing import StandardScaler

        self.mean_, self.scale_, self.min_, self.max_ = [], [], [], []
        for c in range(values.shape[1]):
            col = values[observed[:, c], c] if observed[:, c].any() else values[:, c]
            col = col.astype(np.float64)
            centre = float(np.median(col))
            sc = StandardScaler().fit((col - centre).reshape(-1, 1))
            self.mean_.append(centre + float(sc.mean_[0]))
            self.scale_.append(float(sc.scale_[0]))
            # The drift gate's range: a 0/1 column's 1 lies many sd off yet is no drift.
            self.min_.append(float(col.min()))
            self.max_.append(float(col.max()))
        return self

    def get_params(self, deep: bool = True) -> dict:
        """No settings: scikit-learn's ``clone`` makes a fresh, unfitted scaler."""
        return {}

    def set_params(self, **params: object) -> Scaler:
        """There are no settings to set; any name given is an error."""
        if params:
            raise ValueError(f"Scaler has no settings; got {sorted(params)}")
        return self

    def __sklearn_is_fitted__(self) -> bool:
        """Asked by scikit-learn's ``check_is_fitted``: True once ``fit`` or ``from_dict`` ran."""
        return hasattr(self, "mean_")

    def __sklearn_tags__(self) -> object:
        """scikit-learn's tags (a stateful transformer), built on demand.

        Not inheriting ``BaseEstimator`` keeps scikit-learn (about 1.2 s to import) off
        predict's path; its tools still need the tags, so they are made here, lazily.
        """
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags(), input_tags=InputTags(allow_nan=False))

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Scale (timesteps, channels) values, held within +-``SCALED_LIMIT``."""
        mean, scale = self._fitted()
        scaled = (values - mean) / scale
        return np.clip(scaled, -SCALED_LIMIT, SCALED_LIMIT).astype(np.float32)

    def inverse_transform(self, scaled: np.ndarray, channels: int | None = None) -> np.ndarray:
        """Raw values of (..., channels) scaled ones, in float64.

        Args:
            scaled: scaled values whose last axis is the first ``channels`` channels
                (the targets lead the channels, so forecasts pass ``channels=targets``).
            channels: how many leading channels ``scaled`` holds; all when None.
        """
        mean, scale = self._fitted()
        return np.asarray(scaled, dtype=np.float64) * scale[:channels] + mean[:channels]

    def to_dict(self) -> dict:
        """Plain-JSON form, as the bundle stores it."""
        mean, scale = self._fitted()
        out = {"mean": mean.tolist(), "scale": scale.tolist()}
        if getattr(self, "min_", None) is not None:
            out.update(min=list(self.min_), max=list(self.max_))
        return out

    @classmethod
    def from_dict(cls, saved: dict) -> Scaler:
        """The fitted scaler that ``to_dict`` saved."""
        out = cls()
        out.mean_ = [float(m) for m in saved["mean"]]
        out.scale_ = [float(s) for s in saved["scale"]]
        # Bundles saved before the range was kept lack it; the drift gate then goes by sd.
        ranged = "min" in saved and "max" in saved
        out.min_ = [float(v) for v in saved["min"]] if ranged else None
        out.max_ = [float(v) for v in saved["max"]] if ranged else None
        return out

    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(self, "mean_"):
            # Only a bug gets here: every scaler comes from fit or from a bundle.
            raise NotFittedError("this Scaler is not fitted yet: call fit() on the training "
                                 "rows, or load it from a bundle that 'forecast train' saved")
        return np.asarray(self.mean_), np.asarray(self.scale_)


def origin_params(scalers: list[Scaler], series: np.ndarray,
                  channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Scale and mean of each window's series: (windows, channels) both, float64.

    Windows of many series are unscaled at once with these (``raw = x * scale + mean``,
    broadcast over the horizon), which a loop over ``inverse_transform`` would not vectorise.
    """
    if not len(series):
        return np.empty((0, channels)), np.empty((0, channels))
    fitted = [sc._fitted() for sc in scalers]
    scale = np.stack([fitted[s][1][:channels] for s in series]).astype(np.float64)
    mean = np.stack([fitted[s][0][:channels] for s in series]).astype(np.float64)
    return scale, mean
