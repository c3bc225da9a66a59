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


def test_rows_mid_month_are_advised_monthly_bins(tmp_path: Path) -> None:
    days = pd.date_range("2000-01-01", periods=100, freq="MS") + pd.Timedelta(days=14)
    csv = tmp_path / "mid.csv"
    pd.DataFrame({"d": days.strftime("%Y-%m-%d"), "v": np.arange(100.0)}).to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(tmp_path / "m"), *FAST])
    assert result.exit_code == 65, result.output
    assert "bin the rows with --resample (e.g. --resample MS)" in result.stderr


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
