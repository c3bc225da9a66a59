"""Settings of ``forecast detect-anomalies``; light, imported before torch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecaster.config import DEFAULT_MODEL_DIR

METHODS = ("auto", "reconstruction", "forecast")


@dataclass
class DetectSettings:
    """Everything ``forecast detect-anomalies`` needs.

    Attributes:
        model_dir: the model bundle.
        data: CSV to score; None re-reads the recorded training CSV.
        since: score only rows at or after this timestamp (history before is context).
        last: score only the last N rows of each series.
        method: "reconstruction" (the anomaly model), "forecast" (forecast residuals), or
            "auto": forecast for a forecaster of step changes (a meter, whose levels leave
            the range the anomaly model saw), reconstruction otherwise; --lead means forecast.
        lead: with "forecast", how many steps ahead the scored forecasts were made
            (1 to the horizon, or "horizon" for the farthest); None: 1.
        rule: threshold rule; None uses the one recorded at training.
        q: quantile of the "quantile" rule; None: recorded.
        k: multiplier of the "std" rule; None: recorded.
        prune: minimum relative drop kept by dynamic pruning; None: recorded.
        device: where to run the network.
        strict: refuse data that drifted grossly from training (exit 65).
        max_age: refuse data whose newest row is older than this duration (exit 65).
    """

    model_dir: Path = Path(DEFAULT_MODEL_DIR)
    data: Path | None = None
    since: str | None = None
    last: int | None = None
    method: str = "auto"
    lead: int | str | None = None
    rule: str | None = None
    q: float | None = None
    k: float | None = None
    prune: float | None = None
    device: str = "cpu"
    strict: bool = False
    max_age: str | None = None
