"""Values filled in by the gap policy are never scored: not in fold metrics, not in backtests."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.pipeline.evaluation import fold_truth
from forecaster.pipeline.intervals import interval_quantiles

runner = CliRunner()


def _gappy(tmp_path: Path, lo: int, hi: int, n: int = 480) -> Path:
    df = make_series(n=n)
    path = tmp_path / "gappy.csv"
    df.drop(index=range(lo, hi)).to_csv(path, index=False)  # rows lo..hi-1 missing
    return path


def test_fold_truth_leaves_filled_actuals_out(tmp_path: Path) -> None:
    frame = load_frame(_gappy(tmp_path, 400, 410), DataSpec())
    truth, naive, _ = fold_truth(frame, np.array([[0, 398]]), 6, 24)
    assert np.isnan(truth[0, 2:, 0]).all() and not np.isnan(truth[0, :2, 0]).any()
    assert not np.isnan(naive).any()


def test_interval_quantiles_skip_missing_residuals() -> None:
    r = np.zeros((40, 2, 1))
    r[:, 1, 0] = np.linspace(-1, 1, 40)
    r[::2, 0, 0] = np.nan  # half the first step's actuals were filled in
    q = interval_quantiles([r])
    assert np.isfinite(q).all() and q[-1, 1, 0] > 0.9


def test_a_validation_block_inside_a_gap_is_not_scored(tmp_path: Path) -> None:
    # Hours 275-385 missing (filled by interpolation; --freq allows the gap): fold 1
    # validates on filled values only. Its MAE on a straight line it nearly drew itself
    # used to be reported, and its residuals set the intervals.
    model = tmp_path / "m"
    path = _gappy(tmp_path, 275, 386)
    result = runner.invoke(app, ["train", str(path), "--model", str(model), "--freq", "h",
                                 *TINY, "--val-size", "100"])
    assert result.exit_code == 0, result.output
    info = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    folds = json.loads(info.stdout)["folds"]
    assert folds[0]["mae"] is None and folds[1]["mae"] > 0
    res = runner.invoke(app, ["info", "--model", str(model)])
    assert res.exit_code == 0, res.output


def test_backtest_scores_observed_actuals_only(tmp_path: Path) -> None:
    base = ["backtest", str(_gappy(tmp_path, 440, 452)), "--freq", "h", "--start", "0.8", "-q",
            *TINY[:-1]]
    result = runner.invoke(app, [*base, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert all(np.isfinite(m["mae"]) for m in doc["metrics"]["overall"].values())
    result = runner.invoke(app, [*base, "--format", "csv"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    stamps = pd.to_datetime(out["timestamp"])
    gap = (stamps >= "2024-01-19 08:00") & (stamps <= "2024-01-19 19:00")
    assert gap.any() and out.loc[gap, "actual"].isna().all()
    assert out.loc[~gap, "actual"].notna().all()


def test_a_target_never_observed_in_validation_gets_no_interval_and_no_alarm(
        tmp_path: Path) -> None:
    # Sensor b died half-way: none of its validation actuals were observed. Its residual
    # quantiles used to become 0 (a zero-width band) and --method forecast scored it
    # against a scale of 1e-6 (one 336-step event, peak score two million).
    n = 24 * 40
    rng = np.random.default_rng(1)
    t = np.arange(n)
    b = (5 + np.cos(t * 2 * np.pi / 24) + rng.normal(0, 0.3, n)).round(3).astype(object)
    b[n // 2:] = ""
    path = tmp_path / "two.csv"
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
                  "a": 10 + 3 * np.sin(t * 2 * np.pi / 24) + rng.normal(0, 0.5, n),
                  "b": b}).to_csv(path, index=False)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(path), "--target", "a,b", "--model", str(model),
                                 *TINY])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert out.loc[out["target"] == "b", ["lower", "upper"]].isna().all().all()
    assert (out.loc[out["target"] == "a", "upper"] > out.loc[out["target"] == "a", "lower"]).all()
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--method",
                                 "forecast", "--events", "--exit-zero"])
    assert result.exit_code == 0, result.output
    events = pd.read_csv(io.StringIO(result.stdout))
    assert len(events) == 0 or events["peak_score"].max() < 1000


def test_backtest_prints_no_numpy_warnings_when_a_step_was_never_observed(
        tmp_path: Path) -> None:
    df = make_series(n=480)
    path = tmp_path / "no5.csv"
    df[df["timestamp"].dt.hour != 5].to_csv(path, index=False)  # every 05:00 row missing
    with warnings.catch_warnings(record=True) as seen:  # they would reach stderr as is
        warnings.simplefilter("always")
        result = runner.invoke(app, ["backtest", str(path), "--freq", "h", "--start", "0.8",
                                     *TINY[:-1], "--horizon", "24"])  # step 6 is 05:00
    assert result.exit_code == 0, result.output
    assert not [w for w in seen if issubclass(w.category, RuntimeWarning)]


def test_mostly_filled_data_is_refused_before_training_when_no_anomaly_window_can_calibrate(
        tmp_path: Path) -> None:
    # A single series read every 20th row was told "the series do not overlap enough in
    # time; use fewer --folds", with --folds already 0.
    df = make_series()
    df.loc[df.index % 20 != 0, "value"] = np.nan
    df.to_csv(tmp_path / "sparse.csv", index=False)
    tiny = [a for a in TINY if a != "--no-anomaly"]
    result = runner.invoke(app, ["train", str(tmp_path / "sparse.csv"), "--model",
                                 str(tmp_path / "m"), *tiny, "--folds", "0",
                                 "--anomaly-epochs", "1", "--anomaly-window", "16"])
    assert result.exit_code == 65, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: {tmp_path / 'sparse.csv'}: 95% of the values are filled "
                           "in (--fill interpolate)")
    assert "--resample" in last
    assert not (tmp_path / "m" / "CURRENT").exists()  # no bundle saved
    # Refused before the forecaster trained for minutes, not after it.
    assert "final model" not in result.stderr and "fold 1" not in result.stderr
