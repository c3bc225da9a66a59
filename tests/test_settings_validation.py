"""Settings built from Python are checked as the CLI checks its options: a bad value is a
ConfigError (exit 2) naming the field when the object is built, not a KeyError or a torch
error deep in training, nor a bundle saved (or intervals printed) without a word."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
import typer

from forecaster.anomaly.settings import DetectSettings
from forecaster.cli import app
from forecaster.config import PredictSettings, TrainSettings
from forecaster.data.spec import DataSpec
from forecaster.errors import EXIT_USAGE, ConfigError
from forecaster.pipeline.backtest_plan import BacktestSettings

NAN, INF = math.nan, math.inf

TRAIN_BAD = [
    ("cell", "foo"), ("ensemble", 0), ("hidden", 0), ("hidden", 4096), ("lr", -1), ("lr", 0),
    ("lr", NAN), ("lr", 2.0), ("norm", "bogus"), ("window_kind", "bogus"), ("epochs", 0),
    ("epochs", 2.5), ("epochs", True), ("window", 1), ("horizon", 0), ("segment", 0),
    ("layers", 9), ("dropout", 0.95), ("dropout", NAN), ("batch_size", 0), ("patience", 0),
    ("max_windows", 0), ("seed", -1), ("seed", 2**32), ("device", "tpu"), ("folds", -1),
    ("val_size", 0), ("gap", -1), ("keep", 0), ("wait", -1), ("wait", INF),
    ("layer_norm", "yes"), ("nonnegative", "no"), ("anomaly", None), ("model_dir", ""),
    ("data", {"targets": ["x"]}), ("sources", None), ("anomaly_window", 1),
    ("anomaly_segment", 0), ("anomaly_hidden", 0), ("anomaly_layers", 9),
    ("anomaly_latent", 4096), ("anomaly_norm", "last"), ("anomaly_epochs", 0),
    ("anomaly_lr", 0), ("anomaly_combine", "max"), ("anomaly_smooth", 0),
    ("anomaly_threshold", "bogus"), ("anomaly_q", 5), ("anomaly_k", -1), ("anomaly_k", INF),
    ("anomaly_trim", 1.0), ("anomaly_prune", -0.1),
]
PREDICT_BAD = [
    ("level", 500), ("level", -5), ("level", NAN), ("level", INF), ("level", "90"),
    ("horizon", 0), ("device", "gpu"), ("strict", "yes"), ("model_dir", ""), ("data", 3),
    ("max_age", ""),
]
DETECT_BAD = [
    ("lead", "x"), ("lead", 0), ("lead", "3"), ("lead", 1.5), ("q", 5), ("q", 0.1),
    ("q", NAN), ("k", -1), ("k", INF), ("method", "bogus"), ("last", -5), ("last", 0),
    ("rule", "bogus"), ("prune", 1.5), ("since", ""), ("since", "   "), ("device", "gpu"),
    ("strict", 1), ("max_age", 2),
]
BACKTEST_BAD = [
    ("refit", "sometimes"), ("refit", "every-0"), ("refit", 3), ("folds", 0), ("stride", 0),
    ("gap", -1), ("season", 0), ("level", 0), ("level", NAN), ("window_kind", "bogus"),
    ("train", None),
]
SPEC_BAD = [
    ("fill", "bogus"), ("duplicates", "x"), ("aggregate", "median"), ("targets", "price"),
    ("features", ["a", 1]), ("na_values", -200), ("series_col", ""), ("day_first", "yes"),
    ("freq", 1),
]
CASES = [(cls, name, value) for cls, table in (
    (TrainSettings, TRAIN_BAD), (PredictSettings, PREDICT_BAD), (DetectSettings, DETECT_BAD),
    (BacktestSettings, BACKTEST_BAD), (DataSpec, SPEC_BAD)) for name, value in table]


@pytest.mark.parametrize("cls, name, value", CASES,
                         ids=[f"{c.__name__}-{n}-{v!r}" for c, n, v in CASES])
def test_a_bad_value_is_a_config_error_naming_the_field(cls: type, name: str,
                                                        value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        cls(**{name: value})
    message = str(caught.value)
    assert message.startswith(f"{name} "), message  # the field, then the value found
    assert "expected" in message and "\n" not in message
    assert caught.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize("cls, name, value", [
    (TrainSettings, "cell", "foo"), (TrainSettings, "hidden", 0),
    (PredictSettings, "level", NAN), (DetectSettings, "method", "bogus"),
    (BacktestSettings, "level", 500), (DataSpec, "fill", "bogus"),
])
def test_replace_checks_too(cls: type, name: str, value: object) -> None:
    # dataclasses.replace builds a new object: a warm start's values from the bundle, or a
    # library user's variation on the defaults, go through the same checks.
    with pytest.raises(ConfigError, match=f"^{name} "):
        dataclasses.replace(cls(), **{name: value})


def test_the_messages_say_what_is_allowed() -> None:
    with pytest.raises(ConfigError, match="^cell 'foo': expected one of gru, lstm$"):
        TrainSettings(cell="foo")
    with pytest.raises(ConfigError, match="^hidden 0: expected a whole number from 1 to 2048$"):
        TrainSettings(hidden=0)
    with pytest.raises(ConfigError, match="^lr -1: expected a number above 0 and at most 1$"):
        TrainSettings(lr=-1)
    with pytest.raises(ConfigError, match="^level nan: expected a number from 1 to 99$"):
        PredictSettings(level=NAN)
    with pytest.raises(ConfigError, match="^lead 'x': expected a number of steps from 1"):
        DetectSettings(lead="x")


def test_combinations_the_cli_refuses_are_refused() -> None:
    with pytest.raises(ConfigError, match="^lead 3: applies to method 'forecast'"):
        DetectSettings(lead=3, method="reconstruction")
    with pytest.raises(ConfigError, match="^since '2024-01-01' and last 5 both given"):
        DetectSettings(since="2024-01-01", last=5)


def test_defaults_and_edge_values_are_accepted() -> None:
    for cls in (TrainSettings, PredictSettings, DetectSettings, BacktestSettings, DataSpec):
        cls()
    TrainSettings(window=2, horizon=1, segment=1, hidden=2048, layers=8, dropout=0.9, lr=1.0,
                  seed=2**32 - 1, folds=0, gap=0, val_size=1, wait=0, keep=1, ensemble=1,
                  epochs=1, nonnegative=False, anomaly_window=2, anomaly_q=0.5,
                  anomaly_k=0.0, anomaly_trim=0.0, anomaly_prune=0.0, model_dir="m")
    TrainSettings(window=np.int64(24), segment=np.int64(6), lr=np.float32(0.01))  # computed
    TrainSettings(data=DataSpec(time_col="", targets=("a", "b"), freq="h", day_first=True))
    for level in (1, 1.0, 99, 99.0):
        PredictSettings(level=level)
        BacktestSettings(level=level)
    PredictSettings(horizon=1, data=Path("x.csv"), max_age="2h", model_dir="m")
    DetectSettings(lead="horizon", method="forecast", q=0.99999, k=1000, rule="quantile")
    DetectSettings(lead=1, method="auto", last=1, prune=0.0)
    DetectSettings(since="2024-01-01")
    BacktestSettings(refit="every-5", gap=0, stride=1, season=1, folds=1, start="0.5", end=0.9)
    BacktestSettings(refit="each", window_kind="sliding")


def test_settings_saved_as_json_build_again() -> None:
    # What a bundle records (TrainSettings.to_dict) must build again: --warm-start takes
    # its values, and a bundle of an older release must still load.
    st = TrainSettings(window=48, horizon=24, segment=24, norm="diff", anomaly_norm="revin",
                       nonnegative=True, sources={"window": "flag"})
    saved = json.loads(json.dumps(st.to_dict()))
    spec = DataSpec.from_dict(saved.pop("data"))
    assert TrainSettings(**{**saved, "data": spec, "model_dir": Path(saved["model_dir"])}) == st


def _ranges(command: str) -> list[tuple[str, object, object]]:
    """(parameter, min, max) of each option of ``command`` with a typer range."""
    out = []
    for p in typer.main.get_command(app).commands[command].params:
        # This typer keeps the range on the option; click's own on its IntRange/FloatRange.
        held = p if hasattr(p, "min") else getattr(p, "type", None)
        lo, hi = getattr(held, "min", None), getattr(held, "max", None)
        if lo is not None or hi is not None:
            out.append((p.name, lo, hi))
    return out


def test_the_cli_ranges_are_the_settings_limits() -> None:
    # One source of truth: an option's typer range and its field's rule agree (a new
    # option with a range needs a rule too).
    from forecaster.anomaly.settings import DETECT_RULES
    from forecaster.config import PREDICT_RULES, TRAIN_RULES
    from forecaster.pipeline.backtest_plan import BACKTEST_RULES

    tables = {"train": [TRAIN_RULES], "predict": [PREDICT_RULES],
              "detect-anomalies": [DETECT_RULES], "backtest": [BACKTEST_RULES, TRAIN_RULES]}
    for command, rule_tables in tables.items():
        ranges = _ranges(command)
        assert ranges, command  # found where this typer keeps them
        for name, lo, hi in ranges:
            rule = next((t[name] for t in rule_tables if name in t), None)
            assert rule is not None, (command, name)
            assert (rule.lo, rule.hi) == (lo, hi), (command, name, rule)


def test_a_warm_start_from_a_bundle_with_a_value_refused_now_says_so(monkeypatch,
                                                                     tmp_path: Path) -> None:
    # A bundle of a release with wider limits (or a hand edit): the value --warm-start
    # would take from it is refused with what to do, not as if the user had typed it.
    from types import SimpleNamespace

    from forecaster.pipeline import warm

    meta = {"settings": {"hidden": 4096}, "data": {"spec": {}, "freq": "h"}}
    monkeypatch.setattr(warm, "load_bundle", lambda _: SimpleNamespace(meta=meta))
    with pytest.raises(ConfigError, match="^--warm-start: the bundle in .* records hidden 4096: "
                                          "expected a whole number from 1 to 2048, .* train "
                                          "without --warm-start$"):
        warm.continue_settings(TrainSettings(model_dir=tmp_path, warm_start=True))
