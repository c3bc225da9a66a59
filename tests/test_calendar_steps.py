"""Calendar steps with gaps (a month missing from a monthly file) and their seasons."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecaster.baselines import season_length
from forecaster.cli import app
from forecaster.data.grid import infer_freq, same_step
from forecaster.data.month_days import to_step

runner = CliRunner()
FAST = ["--epochs", "1", "--ensemble", "1", "--folds", "0", "--no-anomaly", "--hidden", "8",
        "--quiet"]


@pytest.mark.parametrize("freq", ["MS", "ME", "BMS", "BME", "QS-JAN", "QS-FEB", "QE-DEC",
                                  "QE-NOV", "BQE-DEC", "YS-JAN", "YE-JUN", "W-SUN", "W-WED",
                                  "D", "2D", "h"])
def test_a_gap_keeps_the_name_pandas_gives_the_whole_series(freq: str) -> None:
    # A missing month fell back to a fixed 31 days ('744h'), which no month fits.
    for start in ("1949-01-01", "1949-02-01"):
        times = pd.date_range(start, periods=60, freq=freq, tz="UTC")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            whole = pd.infer_freq(times)
        gapped = infer_freq(times.delete([10, 30]), Path("x.csv"))
        assert gapped == whole, (freq, start, gapped, whole)


def test_daily_bundles_of_24h_still_read_daily_rows() -> None:
    # Daily rows with a gap recorded '24h'; pandas 3 tells it from 'D'.
    assert same_step("24h", "D") and same_step("D", "D") and same_step("MS", "MS")
    assert not same_step("D", "h") and not same_step("MS", "ME") and not same_step("MS", "D")
    # Weekly rows with a gap were recorded "168h"; the same rows now read as W-MON.
    assert same_step("W-MON", "168h") and same_step("7D", "W-SUN")


@pytest.mark.parametrize(("freq", "season"), [
    ("W-SUN", 52), ("W-MON", 52), ("2W", 26), ("7D", 52), ("BMS", 12), ("BME", 12),
    ("MS", 12), ("3MS", 4), ("QS-FEB", 4), ("QE-DEC", 4), ("SMS", 24), ("YS", 1),
    ("bh", 1), ("WOM-1MON", 1)])  # other calendar steps: no season (bh crashed)
def test_calendar_seasons(freq: str, season: int) -> None:
    # Anchored weeks and business months had season 1: the seasonal naive was the naive.
    assert season_length(freq) == season


def test_a_monthly_file_with_a_missing_month_trains_and_forecasts_months(
        tmp_path: Path) -> None:
    months = pd.date_range("1949-01-01", periods=144, freq="MS")
    csv = tmp_path / "air.csv"
    pd.DataFrame({"Month": months.strftime("%Y-%m"), "Passengers": 100 + np.arange(144.0)}
                 ).drop([30]).to_csv(csv, index=False)
    model = tmp_path / "m"
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), *FAST])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(model), "--quiet"])
    assert result.exit_code == 0, result.output
    stamps = pd.read_csv(io.StringIO(result.stdout))["timestamp"]
    assert list(stamps[:2]) == ["1961-01-01T00:00:00+00:00", "1961-02-01T00:00:00+00:00"]


def test_rows_mid_month_on_no_one_day_are_advised_monthly_bins(tmp_path: Path) -> None:
    days = pd.date_range("2000-01-01", periods=100, freq="MS") + pd.to_timedelta(
        np.where(np.arange(100) % 2, 14, 9), unit="D")  # the 10th and the 15th in turn
    csv = tmp_path / "mid.csv"
    pd.DataFrame({"d": days.strftime("%Y-%m-%d"), "v": np.arange(100.0)}).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(tmp_path / "m"), *FAST])
    assert result.exit_code == 65, result.output
    assert "bin the rows with --resample (e.g. --resample MS)" in result.stderr


@pytest.mark.parametrize(("offset", "days", "freq"), [
    ("MS", 14, "MS-15"), ("MS", 9, "MS-10"), ("MS", 27, "MS-28"), ("QS-JAN", 14, "3MS-15"),
    ("YS-MAR", 14, "12MS-15")])
def test_rows_on_one_day_of_the_month_have_a_month_day_step(offset: str, days: int,
                                                            freq: str) -> None:
    # Bills on the 15th were "off the '31D' grid": pandas has no alias for them.
    times = pd.date_range("2000-01-01", periods=40, freq=offset, tz="UTC") + pd.Timedelta(
        days=days)
    assert infer_freq(times, Path("x.csv")) == freq
    assert infer_freq(times.delete([5, 6]), Path("x.csv")) == freq  # a gap: the same step
    assert pd.date_range(times[0], periods=40, freq=to_step(freq)).equals(times)
    assert same_step(freq, freq) and not same_step(freq, "MS")


def test_month_day_seasons_and_bad_days() -> None:
    assert [season_length(f) for f in ("MS-15", "3MS-15", "12MS-15")] == [12, 4, 1]
    for bad in ("MS-29", "MS-1", "0MS-15"):
        with pytest.raises(ValueError):
            to_step(bad)


def test_monthly_rows_on_the_15th_train_and_forecast_the_15th(tmp_path: Path) -> None:
    days = (pd.date_range("2015-01-01", periods=48, freq="MS") + pd.Timedelta(days=14)).delete(20)
    csv = tmp_path / "m15.csv"
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "sales": 100 + np.arange(47.0)}
                 ).to_csv(csv, index=False)
    model = tmp_path / "m"
    for given in ([], ["--freq", "MS-15"]):  # inferred, and given (kept in the bundle)
        result = runner.invoke(app, ["train", str(csv), "--model", str(model), *FAST, *given])
        assert result.exit_code == 0, result.output
        result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(csv),
                                     "--quiet"])
        assert result.exit_code == 0, result.output
        stamps = pd.read_csv(io.StringIO(result.stdout))["timestamp"]
        assert list(stamps[:2]) == ["2019-01-15T00:00:00+00:00", "2019-02-15T00:00:00+00:00"]


def test_a_month_day_step_the_rows_are_not_on_names_their_own(tmp_path: Path) -> None:
    days = pd.date_range("2015-01-01", periods=48, freq="MS") + pd.Timedelta(days=14)
    csv = tmp_path / "m15.csv"
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "v": np.arange(48.0)}).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(tmp_path / "m"), *FAST,
                                 "--freq", "MS-10"])
    assert result.exit_code == 65, result.output
    assert "give --freq MS-15 (the rows' own step), or bin the rows with --resample MS " in \
        result.stderr


def test_old_spellings_in_the_settings_a_warm_start_continues_are_modern_too() -> None:
    from forecaster.bundle_schema import check_shape

    meta = {"data": {"freq": "H", "spec": {"targets": ["v"], "freq": "H"}, "targets": ["v"],
                     "columns": ["v"]},
            "forecaster": {"config": {"window": 8, "horizon": 2}}, "scalers": {},
            "settings": {"data": {"freq": "15T", "resample": None}}}
    check_shape(meta, Path("b"))
    assert meta["data"]["freq"] == "h" and meta["settings"]["data"]["freq"] == "15min"


def test_checksums_written_by_sha256sum_b_are_read(tmp_path: Path) -> None:
    from forecaster.bundle_sums import verify_sums, write_sums

    for name in ("bundle.json", "weights.safetensors"):
        (tmp_path / name).write_text(name)
    write_sums(tmp_path)
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(sums.read_text().replace("  ", " *"))  # binary-mode names
    verify_sums(tmp_path)
