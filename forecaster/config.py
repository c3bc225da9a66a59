"""Settings of each command, built by the CLI and passed to one library call.

Light on purpose: the CLI imports this module before knowing whether torch is needed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from forecaster.data.spec import DataSpec
from forecaster.errors import ConfigError
from forecaster.limits import (
    ANOMALY_NORMS,
    CELLS,
    COMBINES,
    LEVEL,
    MAX_DROPOUT,
    MAX_LAYERS,
    MAX_LR,
    MAX_SEED,
    MAX_UNITS,
    MIN_WINDOW,
    NORMS,
    THRESHOLD_RULES,
    WINDOW_KINDS,
    Choice,
    Device,
    FilePath,
    Flag,
    Indexes,
    Instance,
    K,
    Number,
    Q,
    Text,
    Whole,
    check_fields,
)

DEFAULT_MODEL_DIR = "forecast-model"

# What each field of TrainSettings may hold: the ranges and choices of ``forecast train``'s
# options (cli/train.py takes them from forecaster.limits too). None is "automatic" where
# the field allows it. Not CLI options: max_windows and the anomaly model's optimiser and
# threshold settings (q and k as detect-anomalies' --q and --k; trim and prune as the
# bundle's schema has them).
_UNITS = Whole(1, MAX_UNITS)
_LAYERS = Whole(1, MAX_LAYERS)
_COUNT = Whole(1)
_RATE = Number(0.0, MAX_LR, above=True)
_SHARE = Number(0.0, 1.0, below=True)
TRAIN_RULES = {
    "data": Instance(DataSpec), "model_dir": FilePath(), "window": Whole(MIN_WINDOW, auto=True),
    "horizon": Whole(1, auto=True), "segment": Whole(1, auto=True), "cell": Choice(CELLS),
    "hidden": _UNITS, "layers": _LAYERS, "dropout": Number(0.0, MAX_DROPOUT),
    "layer_norm": Flag(), "norm": Choice(NORMS), "nonnegative": Flag(auto=True),
    "ensemble": _COUNT, "epochs": _COUNT, "batch_size": _COUNT, "lr": _RATE,
    "patience": _COUNT, "max_windows": _COUNT, "seed": Whole(0, MAX_SEED),
    "device": Device(), "folds": Whole(0), "val_size": Whole(1, auto=True),
    "gap": Whole(0, auto=True), "window_kind": Choice(WINDOW_KINDS), "anomaly": Flag(),
    "keep": _COUNT, "wait": Number(0.0), "deterministic": Flag(), "warm_start": Flag(),
    "sources": Instance(dict), "anomaly_window": Whole(MIN_WINDOW, auto=True),
    "anomaly_segment": _COUNT, "anomaly_hidden": _UNITS, "anomaly_layers": _LAYERS,
    "anomaly_latent": _UNITS, "anomaly_bidirectional": Flag(),
    "anomaly_norm": Choice(ANOMALY_NORMS), "anomaly_norm_channels": Indexes(),
    "anomaly_epochs": _COUNT,
    "anomaly_batch_size": _COUNT, "anomaly_lr": _RATE, "anomaly_max_windows": _COUNT,
    "anomaly_combine": Choice(COMBINES), "anomaly_smooth": _COUNT,
    "anomaly_threshold": Choice(THRESHOLD_RULES), "anomaly_q": Number(*Q),
    "anomaly_k": Number(*K), "anomaly_trim": _SHARE, "anomaly_prune": _SHARE,
}
PREDICT_RULES = {
    "model_dir": FilePath(), "data": FilePath(auto=True), "level": Number(*LEVEL),
    "device": Device(), "strict": Flag(), "horizon": Whole(1, auto=True),
    # Parsed as a duration when the data is read (pipeline/freshness.py), with pandas.
    "max_age": Text("a duration such as 2h, 90min or 1D", auto=True),
}


def check_val_size(val_size: int | None, horizon: int | None, automatic: bool = False) -> None:
    """Refuse a validation block shorter than the horizon: it holds no whole forecast, and
    the error it led to later blamed the series' overlap or the data's length.

    Args:
        val_size: --val-size (None: automatic, always long enough).
        horizon: the horizon, given or automatic (None: not known yet).
        automatic: the horizon was not given but chosen from the frequency.

    Raises:
        ConfigError: ``val_size`` < ``horizon``.
    """
    if not val_size or not horizon or val_size >= horizon:
        return
    which = (f"the horizon {horizon} (automatic for this frequency; --horizon sets it)"
             if automatic else f"--horizon {horizon}")
    other = f", or --horizon {val_size} or less" if automatic else ""
    raise ConfigError(f"--val-size {val_size} is shorter than {which}: a validation block must "
                      f"hold at least one horizon; give --val-size {horizon} or more{other}")


@dataclass
class TrainSettings:
    """Everything ``forecast train`` needs; stored in the bundle.

    Attributes mirror the CLI options of the same names; see ``forecast train --help``.
    """

    data: DataSpec = field(default_factory=DataSpec)
    model_dir: Path = Path(DEFAULT_MODEL_DIR)
    window: int | None = None
    horizon: int | None = None
    segment: int | None = None
    cell: str = "gru"
    hidden: int = 64
    layers: int = 1
    dropout: float = 0.0
    layer_norm: bool = False
    norm: str = "auto"  # one of NORMS; auto is settled per file (pipeline/shape.py)
    nonnegative: bool | None = None  # None: on for targets >= 0 with zeros (counts)
    ensemble: int = 3
    epochs: int = 30
    batch_size: int = 256
    lr: float = 4e-3
    patience: int = 4
    # Each epoch draws a fresh random sample of at most this many training windows: on long
    # files an epoch then takes bounded time, and early stopping looks more often.
    max_windows: int = 20000
    seed: int = 0
    device: str = "auto"
    folds: int = 3
    val_size: int | None = None
    gap: int | None = None
    window_kind: str = "expanding"
    anomaly: bool = True
    keep: int = 3
    wait: float = 0.0
    deterministic: bool = False
    warm_start: bool = False
    sources: dict = field(default_factory=dict)
    anomaly_window: int | None = None  # None: 64, shorter when the data is short
    anomaly_segment: int = 4
    anomaly_hidden: int = 32
    anomaly_layers: int = 1
    anomaly_latent: int = 16
    anomaly_bidirectional: bool = False
    anomaly_norm: str = "auto"  # settled per file: revin for trending or wandering series
    # Settled with anomaly_norm "auto": the value columns revin normalises, those that
    # trend (None: every column, as --anomaly-norm revin asks).
    anomaly_norm_channels: list[int] | None = None
    anomaly_epochs: int = 30
    # The anomaly model's optimiser settings were chosen on the NAB development files
    # (benchmarks/RESULTS-nab.md), apart from the forecaster's, chosen on ETTh1.
    anomaly_batch_size: int = 128
    anomaly_lr: float = 2e-3
    anomaly_max_windows: int = 4000
    anomaly_combine: str = "median"
    anomaly_smooth: int = 1
    anomaly_threshold: str = "telemanom"
    anomaly_q: float = 0.995
    anomaly_k: float = 8.0
    anomaly_trim: float = 0.05
    anomaly_prune: float = 0.13

    def __post_init__(self) -> None:
        """Refuse a value ``forecast train`` would refuse (see ``TRAIN_RULES``), here and not
        as a KeyError or a torch error deep in training, or a bundle saved without a word.

        Raises:
            ConfigError: naming the field, the value and what is allowed.
        """
        check_fields(self, TRAIN_RULES)

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        d = asdict(self)
        d["model_dir"] = str(self.model_dir)
        return d


@dataclass
class PredictSettings:
    """Everything ``forecast predict`` needs."""

    model_dir: Path = Path(DEFAULT_MODEL_DIR)
    data: Path | None = None
    level: float = 90.0
    device: str = "cpu"
    strict: bool = False
    horizon: int | None = None  # the first N steps of the trained horizon; None: all
    max_age: str | None = None  # --max-age: refuse data whose newest row is older

    def __post_init__(self) -> None:
        """Refuse a value ``forecast predict`` would refuse (see ``PREDICT_RULES``).

        Raises:
            ConfigError: naming the field, the value and what is allowed.
        """
        check_fields(self, PREDICT_RULES)
