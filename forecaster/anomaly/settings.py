"""Settings of ``forecast detect-anomalies``; light, imported before torch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecaster.config import DEFAULT_MODEL_DIR
from forecaster.errors import ConfigError
from forecaster.limits import (
    METHODS,
    THRESHOLD_RULES,
    Choice,
    Device,
    FilePath,
    Flag,
    K,
    Number,
    Q,
    Text,
    Whole,
    check_fields,
    refuse,
)

# What each field of DetectSettings may hold: ``forecast detect-anomalies``' limits. since
# is parsed against the data's times, max_age when the data is read, lead below.
DETECT_RULES = {
    "model_dir": FilePath(), "data": FilePath(auto=True),
    "since": Text("a timestamp such as 2026-03-01T12:00", auto=True),
    "last": Whole(1, auto=True), "method": Choice(METHODS),
    "rule": Choice(THRESHOLD_RULES, auto=True), "q": Number(*Q, auto=True),
    "k": Number(*K, auto=True), "prune": Number(0.0, 1.0, below=True, auto=True),
    "device": Device(), "strict": Flag(),
    "max_age": Text("a duration such as 2h, 90min or 1D", auto=True),
}


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
        strict: refuse data that drifted grossly from training, or rows scored mostly
            filled in (exit 65).
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

    def __post_init__(self) -> None:
        """Refuse a value ``forecast detect-anomalies`` would refuse (see ``DETECT_RULES``).

        Raises:
            ConfigError: naming the field, the value and what is allowed.
        """
        check_fields(self, DETECT_RULES)
        if self.lead not in (None, "horizon") and Whole(1).problem(self.lead):
            raise refuse("lead", self.lead, "expected a number of steps from 1, 'horizon', "
                         "or None")
        if self.lead is not None and self.method == "reconstruction":
            # Forecast leads mean nothing to the anomaly model: the lead was ignored.
            raise refuse("lead", self.lead, "applies to method 'forecast' (or 'auto', which "
                         "it then makes forecast), not 'reconstruction'")
        if self.since is not None and self.last is not None:
            raise ConfigError(f"since {self.since!r} and last {self.last} both given; "
                              "expected one of them (rows from a timestamp, or the last N "
                              "rows of each series)")
