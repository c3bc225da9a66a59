"""Fixes from the second sweep: a vanished series, series left out of a backtest,
--val-size against --horizon, MASE on a noise-sized baseline, plot formats, and small
messages about steps and spans."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series, train_tiny
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.metrics import mase

runner = CliRunner()


def _stores(tmp_path: Path, names: str = "ABC", name: str = "multi.csv",
            lengths: dict[str, int] | None = None) -> Path:
    """A long-format hourly file, one make_series per store."""
    lengths = lengths or {}
    parts = [make_series(n=lengths.get(s, 480), seed=i).assign(store=s)
             for i, s in enumerate(names)]
    path = tmp_path / name
    pd.concat(parts, ignore_index=True).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def three_stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A bundle trained on stores A, B and C, and its folder."""
    root = tmp_path_factory.mktemp("stores")
    csv = _stores(root)
    return root, train_tiny(csv, root / "m", "--series-col", "store")


VANISHED = "data drift: series 'C' of the training data has no rows in {path}: it is left out"


@pytest.mark.parametrize("command", ["predict", "detect-anomalies"])
def test_vanished_series_is_reported_and_refused_with_strict(
        three_stores: tuple[Path, Path], command: str) -> None:
    root, model = three_stores
    ab = _stores(root, "AB", name="ab.csv")
    more = ["--method", "forecast", "--exit-zero"] if command == "detect-anomalies" else []
    args = [command, "--model", str(model), "--data", str(ab), *more]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    if command == "predict":  # detect-anomalies' call names no file (not this module's)
        assert "Warning: " + VANISHED.format(path=ab) in result.stderr
    else:
        assert "series 'C' of the training data has no rows in" in result.stderr
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 65, strict.output
    assert "series 'C' of the training data has no rows" in strict.stderr


def test_all_training_series_present_passes(three_stores: tuple[Path, Path]) -> None:
    root, model = three_stores
    result = runner.invoke(app, ["predict", "--model", str(model), "--strict"])
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output


@pytest.mark.parametrize(("lengths", "left_out"), [
    ({"A": 600, "B": 400, "C": 400}, "series 'B', 'C' left out: they end"),
    # The first series left out: the plot draws the first series with forecasts.
    ({"A": 400, "B": 600, "C": 600}, "series 'A' left out: it ends"),
])
def test_backtest_names_series_that_end_before_start(tmp_path: Path, lengths: dict,
                                                     left_out: str) -> None:
    # The short ones end at row 400 of 600, before the default first origin (0.8: row 480).
    csv = _stores(tmp_path, "ABC", lengths=lengths)
    png = tmp_path / "bt.png"
    result = runner.invoke(app, ["backtest", str(csv), "--series-col", "store", *TINY[:10],
                                 "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert (f"Warning: backtest: {left_out} before the first origin 2024-01-21T00:00:00+00:00; "
            "give an earlier --start to include them") in result.stderr
    kept = set(pd.read_csv(StringIO(result.stdout))["series"])
    assert kept == {k for k, n in lengths.items() if n == 600}
    assert png.read_bytes().startswith(b"\x89PNG")


@pytest.fixture
def hourly(tmp_path: Path) -> Path:
    """A 600-row hourly single-series file: not short for a 24-step horizon."""
    path = tmp_path / "s.csv"
    make_series(n=600).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", ["train", "backtest"])
def test_val_size_shorter_than_the_given_horizon_is_refused(hourly: Path, command: str) -> None:
    result = runner.invoke(app, [command, str(hourly), "--val-size", "10", "--horizon", "24"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        "Error: --val-size 10 is shorter than --horizon 24: a validation block must hold at "
        "least one horizon; give --val-size 24 or more")


@pytest.mark.parametrize("command", ["train", "backtest"])
def test_val_size_shorter_than_the_automatic_horizon_is_refused(hourly: Path,
                                                               command: str) -> None:
    # Not read as "short data" (backtest shrank the horizon to 6 for it) nor as series
    # that "do not overlap enough in time" (train).
    result = runner.invoke(app, [command, str(hourly), "--val-size", "10"])
    assert result.exit_code == 2, result.output
    assert "short data" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "Error: --val-size 10 is shorter than the horizon 24 (automatic for this frequency; "
        "--horizon sets it): a validation block must hold at least one horizon; give "
        "--val-size 24 or more, or --horizon 10 or less")


def test_val_size_is_not_checked_without_folds(hourly: Path, tmp_path: Path) -> None:
    # train --folds 0 cuts no validation block: --val-size is unused there.
    train_tiny(hourly, tmp_path / "m", "--folds", "0", "--val-size", "4",
               tiny=[a for a in TINY if a not in ("--folds", "2")])


def test_mase_of_a_noise_sized_scale_is_undefined() -> None:
    t = np.arange(240)
    y = 10 + 3 * np.sin(2 * np.pi * t / 24)
    # A noise-sized scale (a training part whose seasonal naive is exact) is NaN from
    # mase_scales, against the series' own level (test_metrics.py): undefined here.
    assert np.isnan(mase(y, y + 0.5, np.full_like(y, np.nan)))
    assert np.isnan(mase(y, y + 0.5, np.zeros_like(y)))  # exact: undefined, as before
    assert mase(y, y + 0.5, np.full_like(y, 0.25)) == pytest.approx(2.0)


def test_backtest_shows_no_mase_against_an_exact_seasonal_naive(tmp_path: Path) -> None:
    t = np.arange(600)
    csv = tmp_path / "sine.csv"
    pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=600, freq="h"),
                  "value": 10 + 3 * np.sin(2 * np.pi * t / 24)}).to_csv(csv, index=False)
    result = runner.invoke(app, ["backtest", str(csv), "--season", "24", *TINY[:10],
                                 "--horizon", "6", "--ensemble", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    overall = json.loads(result.stdout)["metrics"]["overall"]
    assert all(sc["mase"] is None for sc in overall.values()), overall


def test_detect_plot_is_written_as_svg(three_stores: tuple[Path, Path], tmp_path: Path) -> None:
    _, model = three_stores
    svg = tmp_path / "plot.svg"
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--method",
                                 "forecast", "--exit-zero", "--events", "--plot", str(svg)])
    assert result.exit_code == 0, result.output
    assert ET.parse(svg).getroot().tag.endswith("svg")


def test_backtest_plot_is_written_as_pdf(hourly: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    result = runner.invoke(app, ["backtest", str(hourly), *TINY[:10], "--horizon", "6",
                                 "--ensemble", "1", "--plot", str(pdf), "--quiet"])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("name", "why"), [
    ("plot.bmp", ".bmp is not an image format the plot can be written in"),
    ("plot", "no suffix to tell the image format"),
])
@pytest.mark.parametrize("command", ["backtest", "detect-anomalies"])
def test_unknown_plot_suffix_is_refused_before_any_work(
        three_stores: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        command: str, name: str, why: str) -> None:
    from forecaster.pipeline import backtesting, detecting

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the work began before --plot was checked")

    monkeypatch.setattr(backtesting, "backtest", no_work)
    monkeypatch.setattr(detecting, "DetectionRun", no_work)
    root, model = three_stores
    plot = tmp_path / name
    args = (["backtest", str(root / "multi.csv"), "--series-col", "store"]
            if command == "backtest" else ["detect-anomalies", "--model", str(model)])
    result = runner.invoke(app, [*args, "--plot", str(plot)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: --plot {plot}: {why}; name a .png, .pdf, .svg, "
                                    ".eps")
    assert len(result.stderr.splitlines()) == 1 and not plot.exists()


@pytest.mark.parametrize(("given", "fixed"), [("H", "h"), ("2H", "2h"), ("15T", "15min")])
def test_old_pandas_aliases_get_the_new_spelling(hourly: Path, given: str, fixed: str) -> None:
    result = runner.invoke(app, ["train", str(hourly), "--freq", given])
    assert result.exit_code == 2, result.output
    assert result.stderr.rstrip().endswith(f"pandas now spells it {fixed}: give --freq {fixed}")


def test_coarser_freq_suggests_binning_to_that_step(hourly: Path) -> None:
    result = runner.invoke(app, ["train", str(hourly), "--freq", "2h"])
    assert result.exit_code == 65, result.output
    assert result.stderr.rstrip().endswith(
        "give --freq h (the rows' own step), or bin the rows with --resample 2h instead of "
        "--freq 2h")


@pytest.mark.parametrize(("given", "advice"), [
    ("M", "pandas now spells it ME: give --freq ME for rows on the last day of each "
          "period, --freq MS for rows on the first"),
    ("A", "pandas now spells it YE: give --freq YE for rows on the last day of each "
          "period, --freq YS for rows on the first"),
])
def test_month_and_year_aliases_name_both_ends(hourly: Path, given: str, advice: str) -> None:
    result = runner.invoke(app, ["train", str(hourly), "--freq", given])
    assert result.exit_code == 2, result.output
    assert result.stderr.rstrip().endswith(advice)


def test_resample_by_old_month_alias_names_the_step_it_takes(hourly: Path) -> None:
    result = runner.invoke(app, ["train", str(hourly), "--resample", "M"])
    assert result.exit_code == 2, result.output
    assert result.stderr.rstrip().endswith("give --resample MS (bins labelled by their first day)")


def test_month_ends_given_for_month_starts_names_the_rows_step(tmp_path: Path) -> None:
    # AirPassengers (1949-01, 1949-02, ...) with --freq ME: binning to ME is refused, so
    # the advice must name steps the tool takes.
    csv = tmp_path / "air.csv"
    pd.DataFrame({"Month": pd.date_range("1949-01", periods=144, freq="MS").strftime("%Y-%m"),
                  "Passengers": np.arange(144) + 100}).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--freq", "ME"])
    assert result.exit_code == 65, result.output
    assert result.stderr.rstrip().endswith(
        "give --freq MS (the rows' own step), or bin the rows with --resample MS instead of "
        "--freq ME")
    followed = runner.invoke(app, ["train", str(csv), "--resample", "MS", "--model",
                                   str(tmp_path / "m"), *TINY])
    assert followed.exit_code == 0, followed.output


def test_end_before_start_is_named(hourly: Path) -> None:
    result = runner.invoke(app, ["backtest", str(hourly), "--start", "0.9", "--end", "0.5"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "Error: --start 0.9 (2024-01-23T12:00:00+00:00) and --end 0.5 "
        "(2024-01-13T11:00:00+00:00): --end is not after --start; give an --end after "
        "--start (or swap them)\n")
