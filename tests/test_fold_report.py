"""``forecast train`` says when a plain baseline beat the model on validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.pipeline.fold_report import trends_unhandled, warn_beaten

runner = CliRunner()


class Said:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def _fold(mae: float, naive: float, snaive: float) -> dict:
    return {"mae": mae, "naive_mae": naive, "snaive_mae": snaive}


def test_the_better_baseline_is_named_with_the_folds_it_won() -> None:
    said = Said()
    warn_beaten(said, [_fold(88.7, 120.0, 22.6), _fold(20.0, 100.0, 25.0), _fold(None, 1, 1)])
    (line,) = said.warnings
    assert "seasonal naive forecast's (23.8;" in line and "worse in 1 of 2 folds" in line
    # Only a window shorter than a season is advised to grow to one (it was said to the
    # airline passengers' 24-month window as well).
    assert line.endswith("try more history, and compare in 'forecast backtest'")
    warn_beaten(said, [_fold(88.7, 120.0, 22.6)], short_window=True)
    assert "try more history or a --window of at least one season, and" in said.warnings[-1]


def test_a_trending_series_beaten_is_advised_to_forecast_changes(tmp_path: Path) -> None:
    # The airline passengers lost to seasonal naive with --norm last and beat it with
    # --norm diff, which no advice named.
    said = Said()
    warn_beaten(said, [_fold(36.4, 60.0, 35.5)], trend=True)
    assert ("try more history, or --norm diff (the series trends: its later rows lie "
            "outside the range of its earlier ones), and compare") in said.warnings[-1]
    t = np.arange(144)
    months = pd.date_range("1949-01-01", periods=144, freq="MS")
    for name, level in (("air", 100 + 2.2 * t), ("flat", 100 + 0 * t)):
        pd.DataFrame({"Month": months, "n": level * (1 + 0.2 * np.sin(t * np.pi / 6))}).to_csv(
            tmp_path / f"{name}.csv", index=False)
    air, flat = (load_frame(tmp_path / f"{n}.csv", DataSpec()) for n in ("air", "flat"))
    assert trends_unhandled(air, "last") and not trends_unhandled(air, "diff")
    assert not trends_unhandled(flat, "last")
    # Of two targets, only the one that trends is advised to forecast changes.
    both = pd.DataFrame({"Month": months, "x": 100 + 2.2 * t, "z": 100 + 0 * t})
    both.to_csv(tmp_path / "both.csv", index=False)
    frame = load_frame(tmp_path / "both.csv", DataSpec(targets=["x", "z"]))
    assert trends_unhandled(frame, "last", "x") and not trends_unhandled(frame, "last", "z")


def test_no_warning_when_the_model_wins_or_nothing_was_scored() -> None:
    said = Said()
    warn_beaten(said, [_fold(0.9, 3.6, 1.3), _fold(0.95, 3.4, 1.6)])
    warn_beaten(said, [_fold(None, None, None)])
    warn_beaten(said, [])
    assert said.warnings == []


def test_train_warns_on_a_random_walk(tmp_path: Path) -> None:
    # A random walk: nothing to learn beyond the last value, and a model of 3 epochs
    # does worse. It saved with exit 0 and no word outside the table.
    rng = np.random.default_rng(0)
    path = tmp_path / "walk.csv"
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=480, freq="h"),
                  "price": 100 + np.cumsum(rng.normal(0, 1, 480))}).to_csv(path, index=False)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    assert "above the naive (the last value) forecast's" in result.stderr
    assert (tmp_path / "m" / "CURRENT").exists()


def test_several_targets_get_a_row_each_beside_the_pooled_one(tmp_path: Path) -> None:
    # Pooled, a target in kW and one in % made one MAE in no unit at all.
    rng = np.random.default_rng(1)
    x = np.arange(480)
    path = tmp_path / "two.csv"
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=480, freq="h"),
                  "kw": 1000 + 300 * np.sin(2 * np.pi * x / 24) + rng.normal(0, 20, 480),
                  "pct": 50 + 5 * np.sin(2 * np.pi * x / 24) + rng.normal(0, 1, 480)}
                 ).to_csv(path, index=False)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--model", str(model), "--target",
                                 "kw,pct", *TINY])
    assert result.exit_code == 0, result.output
    assert "1 (all)" in result.stderr and "1 kw" in result.stderr and "2 pct" in result.stderr
    # The table's pooled row shows MASE alone (unit-free), no MAE in no unit.
    (pooled,) = [line for line in result.stderr.splitlines() if "1 (all)" in line]
    cells = [c.strip() for c in pooled.split("│")[1:-1]]
    assert cells[2:4] == ["-", "-"] and cells[5:] == ["-", "-"]
    assert float(cells[4]) > 0
    info = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    fold = json.loads(info.stdout)["folds"][0]
    per = fold["targets"]
    assert set(per) == {"kw", "pct"} and per["kw"]["mae"] > 10 * per["pct"]["mae"]
    assert fold["mae"] == pytest.approx((per["kw"]["mae"] + per["pct"]["mae"]) / 2)
    # A baseline is judged against each target apart, never the pooled MAE.
    folds = json.loads(info.stdout)["folds"]
    for name in ("kw", "pct"):
        mine = [f["targets"][name] for f in folds]
        beaten = min(sum(f[k] for f in mine) for k in ("naive_mae", "snaive_mae")) < sum(
            f["mae"] for f in mine)
        assert (f"on validation on '{name}' the model's MAE" in result.stderr) == beaten
    assert "on validation the model's MAE" not in result.stderr
