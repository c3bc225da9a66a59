"""Counts are never forecast below zero: the floor, how it is chosen, where it applies."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY, train_tiny
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.pipeline.evaluation import floor_at_zero, nonnegative

runner = CliRunner()


def _counts(tmp_path: Path, n: int = 480) -> Path:
    # Bike-sharing-like hourly counts: busy days, empty nights (many exact zeros).
    t = np.arange(n)
    rate = np.clip(8 * np.sin(2 * np.pi * (t % 24 - 6) / 24), 0, None)
    y = np.random.default_rng(0).poisson(rate)
    path = tmp_path / "counts.csv"
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
                  "rides": y, "temp": 10 + np.sin(t / 24.0)}).to_csv(path, index=False)
    return path


def test_counts_get_the_floor_and_other_series_do_not(tmp_path: Path) -> None:
    frame = load_frame(_counts(tmp_path), DataSpec(targets=["rides", "temp"]))
    assert nonnegative(frame, np.array([0]), 0, 480, None).tolist() == [True, False]
    assert nonnegative(frame, np.array([0]), 0, 480, False).tolist() == [False, False]
    assert nonnegative(frame, np.array([0]), 0, 480, True).tolist() == [True, True]


def test_the_choice_sees_only_the_training_rows(tmp_path: Path) -> None:
    path = _counts(tmp_path)
    df = pd.read_csv(path)
    df.loc[400, "rides"] = -3  # a later negative must not change an earlier fold's choice
    df.to_csv(path, index=False)
    frame = load_frame(path, DataSpec(targets=["rides"]))
    assert nonnegative(frame, np.array([0]), 0, 300, None).tolist() == [True]
    assert nonnegative(frame, np.array([0]), 0, 480, None).tolist() == [False]


def test_floor_at_zero_touches_only_the_chosen_targets() -> None:
    x = np.array([[[-1.0, -1.0], [2.0, -3.0]]])  # (windows, horizon, targets)
    out = floor_at_zero(x, np.array([True, False]))
    assert out.tolist() == [[[0.0, -1.0], [2.0, -3.0]]]


@pytest.fixture(scope="module")
def counts_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("counts")
    return train_tiny(_counts(root), root / "m", "--target", "rides")


def test_predict_never_goes_below_zero_on_counts(counts_model: Path) -> None:
    result = runner.invoke(app, ["predict", "--model", str(counts_model), "--level", "98"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert (out[["forecast", "lower", "upper"]] >= 0).all().all()
    assert (out["lower"] == 0).any()  # the night's interval would reach below zero
    info = runner.invoke(app, ["info", "--model", str(counts_model), "--format", "json"])
    assert json.loads(info.stdout)["data"]["nonnegative"] == ["rides"]


def test_allow_negative_keeps_the_raw_forecast(tmp_path: Path) -> None:
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(_counts(tmp_path)), "--target", "rides",
                                 "--model", str(model), "--allow-negative", *TINY])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(model), "--level", "98"])
    assert result.exit_code == 0, result.output
    assert (pd.read_csv(io.StringIO(result.stdout))["lower"] < 0).any()


def test_backtest_floors_the_model_on_counts(tmp_path: Path) -> None:
    result = runner.invoke(app, ["backtest", str(_counts(tmp_path)), "--target", "rides",
                                 "--start", "0.8", *TINY[:-1], "-q"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert (out[["forecast", "lower", "upper"]] >= 0).all().all()


def test_forecast_residual_scores_use_the_unfloored_network(tmp_path: Path) -> None:
    # Floored residuals of a mostly-zero count are mostly exactly 0: as the scale of
    # --method forecast they turned every burst into an alarm. The intervals use them;
    # the anomaly residual distribution does not.
    from forecaster.bundle import load_bundle

    path, bundles = _counts(tmp_path), []
    for flag in ("--nonnegative", "--allow-negative"):
        model = tmp_path / flag.strip("-")
        # One epoch: a network rough enough to forecast below zero at night, where the
        # floor then changes the residuals.
        result = runner.invoke(app, ["train", str(path), "--target", "rides", "--model",
                                     str(model), flag, *TINY, "--epochs", "1"])
        assert result.exit_code == 0, result.output
        bundles.append(load_bundle(model).tensors)
    floored, raw = bundles
    assert torch.equal(floored["intervals.quantiles"], raw["intervals.quantiles"])
    assert not torch.equal(floored["intervals.vol_quantiles"], raw["intervals.vol_quantiles"])


def test_counted_bins_are_counts_even_with_few_zeros(tmp_path: Path) -> None:
    # A busy log: every hour holds events, so no bin is 0 and the zero-share rule would not
    # see a count; a forecast below zero events is impossible all the same.
    stamps = pd.date_range("2024-01-01", periods=4000, freq="97s")
    path = tmp_path / "log.csv"
    pd.DataFrame({"timestamp": stamps, "bytes": np.arange(4000)}).to_csv(path, index=False)
    frame = load_frame(path, DataSpec(resample="h", aggregate="count"))
    assert nonnegative(frame, np.array([0]), 0, 100, None).tolist() == [True]
    frame = load_frame(path, DataSpec(resample="h", aggregate="mean"))
    assert nonnegative(frame, np.array([0]), 0, 100, None).tolist() == [False]


def test_nonnegative_on_a_target_below_zero_warns(tmp_path: Path) -> None:
    # A random walk forced to --nonnegative was forecast 0 wherever it is negative, its
    # fold errors doubled, and nothing said why; counts, never negative, stay quiet.
    walk = tmp_path / "walk.csv"
    n = 480
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
                  "level": np.linspace(-5, 5, n)}).to_csv(walk, index=False)
    for command in (["train", str(walk), "--model", str(tmp_path / "m"), *TINY],
                    ["backtest", str(walk), *TINY[:-1], "-o", str(tmp_path / "bt.csv")]):
        result = runner.invoke(app, [*command, "--nonnegative", "--epochs", "1"])
        assert result.exit_code == 0, result.output
        assert ("Warning: --nonnegative: 'level' reads below 0 in 240 of its 480 values "
                "(down to -5), yet its forecasts and intervals are floored at 0") in result.stderr
    result = runner.invoke(app, ["train", str(_counts(tmp_path)), "--target", "rides",
                                 "--model", str(tmp_path / "c"), "--nonnegative", *TINY])
    assert result.exit_code == 0, result.output
    assert "--nonnegative:" not in result.stderr
