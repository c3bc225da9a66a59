"""Backtests of short files: the automatic shape is train's, and a plan that cannot fit
says why with numbers and names options that fit."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.config import TrainSettings
from forecaster.data.loading import load_frame
from forecaster.pipeline.backtest_fit import backtest_shape
from forecaster.pipeline.backtest_plan import BacktestSettings
from forecaster.pipeline.prepare import make_grid
from forecaster.pipeline.shape import fit_short, resolve_shape
from tests.conftest import make_series

TINY = ["--epochs", "1", "--hidden", "4", "--ensemble", "1", "--device", "cpu"]


def _file(tmp_path: Path, n: int, freq: str, start: str = "2010-02-05") -> Path:
    frame = make_series(n=n, slope=0.5)
    frame["timestamp"] = pd.date_range(start, periods=n, freq=freq)
    frame.to_csv(tmp_path / f"{freq}{n}.csv", index=False)
    return tmp_path / f"{freq}{n}.csv"


def _backtest(path: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["backtest", str(path), *TINY, *args])


@pytest.mark.parametrize(("n", "freq"), [(143, "W-FRI"), (60, "D"), (40, "MS"), (200, "h")])
def test_the_automatic_shape_is_trains(tmp_path: Path, n: int, freq: str) -> None:
    frame = load_frame(_file(tmp_path, n, freq), TrainSettings().data)
    grid = make_grid(frame)
    times = pd.date_range(grid.start, periods=grid.n, freq=frame.freq)
    st = TrainSettings()
    trains = fit_short(st, resolve_shape(st, frame), grid.n)
    got = backtest_shape(BacktestSettings(train=st), frame, grid.n, times)
    assert (got.window, got.segment, got.horizon) == (trains.window, trains.segment,
                                                       trains.horizon)


def test_a_short_weekly_file_backtests_with_the_defaults(tmp_path: Path) -> None:
    # 143 weekly rows (Walmart's store 1): train shrinks the horizon to 13; the backtest
    # shrank it only to 26, which left its fitting part no windows, and failed.
    path = _file(tmp_path, 143, "W-FRI")
    res = _backtest(path)
    assert res.exit_code == 0, res.output
    assert "short data (143 steps): horizon 13 instead of 52\n" in res.stderr  # no "window 52
    # instead of 52": only what changed
    assert pd.read_csv(io.StringIO(res.stdout))["step"].max() == 13
    res = _backtest(path, "--start", "0.9", "-q")  # a later --start works too
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(("args", "cause", "advice", "followed"), [
    (["--start", "0.3"], "43 steps before the first origin (after --gap 0), too few to train "
     "with --window 52 and --horizon 13: the fitting part needs 86 steps", "give --start 0.69",
     ["--start", "0.69"]),
    (["--horizon", "52"], "no forecast origin fits between --start and --end: 29 steps, need "
     "at least --horizon 52", "give --horizon 26", ["--horizon", "26"]),
    (["--start", "0.8", "--gap", "60"], "54 steps before the first origin (after --gap 60)",
     "give --gap 0 or --window 6", ["--start", "0.8", "--gap", "0"]),
])
def test_a_plan_that_does_not_fit_names_options_that_do(
        tmp_path: Path, args: list[str], cause: str, advice: str, followed: list[str]) -> None:
    path = _file(tmp_path, 143, "W-FRI")
    res = _backtest(path, *args)
    assert res.exit_code == 65, res.output
    error = res.stderr.strip().splitlines()[-1]  # after the "short data" note
    assert error.startswith("Error: ") and res.stderr.count("Error") == 1
    assert cause in error and error.endswith(advice)
    assert "do not cover" not in error  # one series covers every row
    res = _backtest(path, *followed, "-q")
    assert res.exit_code == 0, res.output


def test_a_short_span_names_a_window_and_horizon_shortened_together(tmp_path: Path) -> None:
    # 50 hourly rows, --start 0.5 --end 0.7: no one option fits, and the error said "give
    # more data", though a shorter window and horizon together run on that span.
    path = _file(tmp_path, 50, "h")
    res = _backtest(path, "--start", "0.5", "--end", "0.7")
    assert res.exit_code == 65, res.output
    error = res.stderr.strip().splitlines()[-1]
    assert error.endswith("give --window 5 --horizon 3"), error
    res = _backtest(path, "--start", "0.5", "--end", "0.7", "--window", "5", "--horizon", "3",
                    "-q")
    assert res.exit_code == 0, res.output


def test_reported_coverage_agrees_with_the_written_rows(tmp_path: Path) -> None:
    # A setpoint held at 18.0: upper bounds that land on the actual came out 17.99999998,
    # were written 18 and counted as misses: coverage 33 % beside rows all covered.
    rng = np.random.default_rng(3)
    path, out = tmp_path / "setpoint.csv", tmp_path / "bt.json"
    level = np.repeat(rng.choice([18.0, 20.0, 22.0], 4), 150)
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=600, freq="h"),
                  "setpoint": level}).to_csv(path, index=False)
    result = CliRunner().invoke(app, [
        "backtest", str(path), *TINY, "--epochs", "2", "--hidden", "8", "--window", "24",
        "--segment", "6", "--horizon", "6", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    rows = pd.DataFrame(doc["forecasts"])
    written = ((rows["lower"] <= rows["actual"]) & (rows["actual"] <= rows["upper"])).mean()
    assert doc["metrics"]["overall"][doc["model"]]["coverage"] == pytest.approx(written)


@pytest.mark.parametrize("start", ["1", "0.99"])
def test_a_start_at_the_end_with_no_end_names_a_start_that_fits(
        tmp_path: Path, start: str) -> None:
    # It said "--start 1 (...) and --end 1.0 (...): --end is not after --start; give an
    # --end after --start": an --end never given, and none could be later.
    result = _backtest(_file(tmp_path, 36, "MS"), "--start", start)
    assert result.exit_code == 65, result.output
    assert "--end is not after --start" not in result.stderr
    assert "no forecast origin fits between --start and --end: 0 steps" in result.stderr
    assert "give --start 0." in result.stderr


def test_an_end_before_the_default_start_says_the_start_is_the_default(tmp_path: Path) -> None:
    # It said "--start 0.8 (...) and --end 0.01 (...): ... (or swap them)": a --start never
    # given, and swapping would make the default 0.8 an --end.
    result = _backtest(_file(tmp_path, 36, "MS"), "--end", "0.01")
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    line = result.stderr.strip().splitlines()[-1]  # after the short-data note
    assert line.startswith("Error: --end 0.01 ("), result.stderr
    assert "is not after the default --start 0.8 (" in line
    assert line.endswith("give an --end after it, or a --start before it")
