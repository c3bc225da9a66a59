"""The real CLI, end to end, in a temporary directory."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from conftest import SAMPLE, TINY, make_series
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def _train(csv: Path, model: Path, *extra: str):
    return runner.invoke(app, ["train", str(csv), "--model", str(model), *TINY, *extra])


def test_train_then_predict_sample_sensor(tmp_path: Path) -> None:
    model = tmp_path / "m"
    result = _train(SAMPLE / "sensor.csv", model)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout))
    assert list(out.columns) == ["series", "timestamp", "target", "forecast", "lower", "upper"]
    assert len(out) == 6
    assert (out["lower"] <= out["forecast"]).all() and (out["forecast"] <= out["upper"]).all()
    stamps = pd.to_datetime(out["timestamp"])
    assert stamps.iloc[0] == pd.Timestamp("2026-04-01 00:00", tz="UTC")
    assert stamps.diff().dropna().eq(pd.Timedelta(hours=1)).all()


def test_multi_series_with_features(tmp_path: Path) -> None:
    model = tmp_path / "m"
    result = _train(SAMPLE / "multi_series.csv", model, "--series-col", "store", "--target",
                    "sales", "--features", "price", "--window", "28", "--segment", "7")
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(model), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3 * 6
    assert {r["series"] for r in rows} == {"north", "south", "east"}
    assert all(r["target"] == "sales" for r in rows)


def test_predict_picks_up_appended_rows(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "m"
    res = _train(series_csv, model)
    assert res.exit_code == 0, res.output
    grown = make_series(n=500)
    grown.to_csv(series_csv, index=False)
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    first = pd.to_datetime(pd.read_csv(io.StringIO(result.stdout))["timestamp"]).iloc[0]
    assert first == grown["timestamp"].iloc[-1].tz_localize("UTC") + pd.Timedelta(hours=1)


def test_predict_output_file_and_level(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "m"
    res = _train(series_csv, model)
    assert res.exit_code == 0, res.output
    out50, out95 = tmp_path / "p50.csv", tmp_path / "p95.csv"
    for level, out in (("50", out50), ("95", out95)):
        result = runner.invoke(app, ["predict", "--model", str(model), "--level", level,
                                     "--output", str(out)])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
    narrow, wide = pd.read_csv(out50), pd.read_csv(out95)
    assert ((wide["upper"] - wide["lower"]) >= (narrow["upper"] - narrow["lower"])).all()


def test_predict_refuses_to_overwrite_input(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "m"
    res = _train(series_csv, model)
    assert res.exit_code == 0, res.output
    before = series_csv.read_bytes()
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(series_csv),
                                 "--output", str(series_csv)])
    assert result.exit_code == 73
    assert result.stderr.startswith("Error: ") and "input file" in result.stderr
    assert series_csv.read_bytes() == before


def test_predict_with_other_file_missing_column(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "m"
    res = _train(series_csv, model)
    assert res.exit_code == 0, res.output
    other = tmp_path / "other.csv"
    make_series().rename(columns={"value": "reading"}).to_csv(other, index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(other)])
    assert result.exit_code == 65
    assert "no column 'value'" in result.stderr


def test_predict_with_other_file_missing_a_blank_named_column(tmp_path: Path,
                                                             series_csv: Path) -> None:
    # A header cell of spaces trains a target named "": a later file without that column
    # was a KeyError (exit 70) where any other missing name is refused.
    blank = tmp_path / "blank.csv"
    make_series().rename(columns={"value": " "}).to_csv(blank, index=False)
    model = tmp_path / "m"
    res = _train(blank, model)
    assert res.exit_code == 0, res.output
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(series_csv)])
    assert result.exit_code == 65, result.output
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "no column '' (a header cell left blank); the columns are timestamp, value" \
        in result.stderr
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output


def test_predict_with_other_frequency(tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "m"
    res = _train(series_csv, model)
    assert res.exit_code == 0, res.output
    other = tmp_path / "daily.csv"
    make_series(freq="D").to_csv(other, index=False)
    result = runner.invoke(app, ["predict", "--model", str(model), "--data", str(other)])
    assert result.exit_code == 65
    assert "frequency" in result.stderr


def test_predict_without_model(tmp_path: Path) -> None:
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "nothing")])
    assert result.exit_code == 66
    assert result.stderr.startswith("Error: ") and "forecast train" in result.stderr
    assert "Traceback" not in result.output


def test_model_dir_from_environment(tmp_path: Path, series_csv: Path, monkeypatch) -> None:
    monkeypatch.setenv("FORECAST_MODEL_DIR", str(tmp_path / "envmodel"))
    result = runner.invoke(app, ["train", str(series_csv), *TINY])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "envmodel" / "CURRENT").exists()
    res = runner.invoke(app, ["predict"])
    assert res.exit_code == 0, res.output


def test_gru_and_layer_norm_train(tmp_path: Path, series_csv: Path) -> None:
    result = _train(series_csv, tmp_path / "m", "--cell", "gru", "--layers", "2",
                    "--layer-norm", "--norm", "revin", "--folds", "0")
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "m"), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)  # no out-of-fold residuals: empty bounds, not zero-width
    assert all(r["lower"] is None and r["upper"] is None for r in rows)
    assert all(isinstance(r["forecast"], float) for r in rows)
    assert "no intervals" in result.stderr and "--folds 0" in result.stderr


def test_short_file_gets_a_shorter_anomaly_window(tmp_path: Path) -> None:
    # 144 monthly-sized rows (the length of the airline-passengers series): 64 steps do
    # not fit the first fold's past, so an automatic window shrinks; a given one is refused.
    path = tmp_path / "short.csv"
    make_series(n=144, slope=0.05).to_csv(path, index=False)
    args = [a for a in TINY if a != "--no-anomaly"] + ["--anomaly-epochs", "2"]
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *args])
    assert result.exit_code == 0, result.output
    meta = json.loads(next((tmp_path / "m" / "versions").glob("*/bundle.json")).read_text())
    window = meta["anomaly"]["config"]["window"]
    assert 8 <= window < 64 and window % 4 == 0
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m2"), *args,
                                 "--anomaly-window", "64"])
    assert result.exit_code == 65
    assert "--anomaly-window 64" in result.stderr and "--no-anomaly" in result.stderr


def test_a_window_cut_to_a_sixth_of_the_data_says_so(tmp_path: Path) -> None:
    # 300 daily rows: 14 weeks (98 steps) would leave too few windows, so the automatic
    # window is a sixth of the series; --verbose says so (nothing did).
    path = tmp_path / "daily.csv"
    frame = make_series(n=300)
    frame["timestamp"] = pd.date_range("2020-01-01", periods=300, freq="D")
    frame.to_csv(path, index=False)
    at = TINY.index("--window")
    tiny = TINY[:at] + TINY[at + 4:]  # without --window 24 --segment 6
    assert "--window" not in tiny and "--segment" not in tiny
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *tiny,
                                 "--folds", "0", "--verbose"])
    assert result.exit_code == 0, result.output
    meta = json.loads(next((tmp_path / "m" / "versions").glob("*/bundle.json")).read_text())
    window = meta["forecaster"]["config"]["window"]
    assert window == 49  # whole 7-step segments within 300 // 6
    assert f"window {window} steps, a sixth of the longest series (300 steps)" in result.stderr


def test_short_monthly_file_trains_on_a_smaller_shape(tmp_path: Path) -> None:
    # 36 monthly rows (the classic shampoo-sales length): the automatic window 24 and
    # horizon 12 cannot fit three folds, so they shrink; given ones are refused as before.
    path = tmp_path / "monthly.csv"
    frame = make_series(n=36, slope=2.0)
    frame["timestamp"] = pd.date_range("2001-01-01", periods=36, freq="MS")
    frame.to_csv(path, index=False)
    fast = ["--epochs", "2", "--ensemble", "1", "--hidden", "8", "--no-anomaly"]
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *fast])
    assert result.exit_code == 0, result.output
    cfg = json.loads(next((tmp_path / "m" / "versions").glob("*/bundle.json")).read_text())
    shape = cfg["forecaster"]["config"]
    assert shape["horizon"] < 12 and shape["window"] < 24
    assert shape["window"] % shape["segment"] == 0 and "short data" in result.stderr
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(io.StringIO(result.stdout))) == shape["horizon"]
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m2"), *fast,
                                 "--window", "24", "--horizon", "12"])
    assert result.exit_code == 65 and "--window 24" in result.stderr


def test_bad_anomaly_settings_are_refused_before_any_training(tmp_path: Path,
                                                              series_csv: Path) -> None:
    args = [a for a in TINY if a != "--no-anomaly"]
    for extra, says in ((["--anomaly-window", "30", "--anomaly-segment", "4"],
                         "not a multiple of --anomaly-segment 4"),
                        (["--anomaly-window", "400"], "--anomaly-window 400")):
        result = runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                     *args, *extra])
        assert result.exit_code in (2, 65), result.output
        assert result.stderr.startswith("Error: ") and says in result.stderr
        assert "epoch" not in result.stderr and not (tmp_path / "m").exists()


def test_predict_horizon_keeps_the_first_steps_of_each_series(tmp_path: Path) -> None:
    model = tmp_path / "m"
    result = _train(SAMPLE / "multi_series.csv", model, "--series-col", "store", "--target",
                    "sales", "--window", "28", "--segment", "7")
    assert result.exit_code == 0, result.output
    full = runner.invoke(app, ["predict", "--model", str(model)])
    short = runner.invoke(app, ["predict", "--model", str(model), "--horizon", "2"])
    assert full.exit_code == 0 and short.exit_code == 0, full.output + short.output
    full_t, short_t = (pd.read_csv(io.StringIO(r.stdout)) for r in (full, short))
    expected = full_t.groupby("series").head(2).reset_index(drop=True)
    pd.testing.assert_frame_equal(short_t, expected)
    longer = runner.invoke(app, ["predict", "--model", str(model), "--horizon", "7"])
    assert longer.exit_code == 2 and longer.stdout == "", longer.output
    assert longer.stderr.startswith(
        "Error: --horizon 7: this model forecasts 6 steps, set at training; expected at most "
        f"6: to forecast 7, retrain with 'forecast train {SAMPLE / 'multi_series.csv'} ")
    assert longer.stderr.endswith(f" --horizon 7 --model {model}'\n")
