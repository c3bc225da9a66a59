"""``train --warm-start`` continues the bundle's data: the same step, the same columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_series, one_error_line, train_tiny
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()


def _snapshot(model: Path) -> dict[str, bytes]:
    return {str(p.relative_to(model)): p.read_bytes() for p in sorted(model.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def _meta(model: Path) -> dict:
    return json.loads((current_version_dir(model) / "bundle.json").read_text())


@pytest.mark.parametrize(("freq", "rows"), [("30min", 960), ("D", 40)])
def test_a_warm_start_on_data_of_another_frequency_is_refused(tmp_path: Path, series_csv: Path,
                                                              freq: str, rows: int) -> None:
    # 40 daily rows are too short for the hourly bundle's shape: they were told to use a
    # shorter --window, which the warm start would refuse next.
    model = train_tiny(series_csv, tmp_path / "m")
    other = tmp_path / "other.csv"
    make_series(n=rows, freq=freq).to_csv(other, index=False)
    before = _snapshot(model)
    result = runner.invoke(app, ["train", str(other), "--model", str(model), "--warm-start"])
    assert result.exit_code == 65, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --warm-start: "), result.stderr
    assert f"'{freq}'" in lines[0] and "'h'" in lines[0]
    assert "train without --warm-start" in lines[0]
    assert _snapshot(model) == before
    still = runner.invoke(app, ["predict", "--model", str(model), "--data", str(series_csv)])
    assert still.exit_code == 0, still.output


def test_a_warm_start_keeps_the_target_when_the_file_gains_a_column(tmp_path: Path,
                                                                    series_csv: Path) -> None:
    model = train_tiny(series_csv, tmp_path / "m")
    grown = make_series(n=504)
    grown["extra"] = grown["value"] * 0.5
    csv = tmp_path / "grown.csv"
    grown.to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start",
                                 "--quiet"])
    assert result.exit_code == 0, result.output
    meta = _meta(model)
    assert meta["warm_start"]["from"]
    assert meta["data"]["targets"] == ["value"] and meta["data"]["columns"] == ["value"]
    assert meta["data"]["series"][""]["rows"] == 504


def test_a_warm_start_on_other_columns_says_what_to_do(tmp_path: Path,
                                                      series_csv: Path) -> None:
    model = train_tiny(series_csv, tmp_path / "m")
    before = _snapshot(model)
    other = make_series(n=504).rename(columns={"value": "temperature"})
    csv = tmp_path / "other.csv"
    other.to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start",
                                 "--target", "temperature"])
    assert result.exit_code == 2, result.output
    assert result.stderr == ("Error: --warm-start: the bundle was trained on columns value, "
                             "the data gives temperature; expected the same: give the "
                             "training columns (--target, --features), or train without "
                             "--warm-start\n")
    assert _snapshot(model) == before


def test_a_warm_start_on_a_file_that_lost_a_series_warns(tmp_path: Path) -> None:
    # A file truncated for a day: the nightly warm start forgot the series without a word.
    import pandas as pd

    both = pd.concat([make_series(n=480).assign(store="east"),
                      make_series(n=480, seed=1).assign(store="west")])
    csv = tmp_path / "stores.csv"
    both.to_csv(csv, index=False)
    model = train_tiny(csv, tmp_path / "m", "--series-col", "store")
    both[both["store"] == "west"].to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start"])
    assert result.exit_code == 0, result.output
    assert ("Warning: --warm-start: series 'east' of the bundle has no rows, or too few to train "
            "on, in stores.csv"
            in result.stderr)


def test_a_warm_start_on_a_file_cut_to_its_newest_rows_warns(tmp_path: Path) -> None:
    # Rotated to 200 of its 480 rows: the anomaly model was refit on the tail, silently.
    # A file kept at a steady length (the newest 480 rows each night) is not warned of.
    csv = tmp_path / "s.csv"
    make_series(n=480).to_csv(csv, index=False)
    model = train_tiny(csv, tmp_path / "m")
    make_series(n=500).iloc[20:].to_csv(csv, index=False)
    steady = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start"])
    assert steady.exit_code == 0 and "Warning" not in steady.stderr, steady.output
    make_series(n=500).iloc[300:].to_csv(csv, index=False)
    cut = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start"])
    assert cut.exit_code == 0, cut.output
    assert ("Warning: --warm-start: s.csv holds 200 rows of the data, the bundle was trained "
            "on 480 (the file was rotated or cut?)") in cut.stderr


def _marked(csv: Path, rows: int) -> None:
    data = make_series(n=rows).astype({"value": object})
    data.loc[[50, 51, 200], "value"] = "Bad Input"
    data.loc[[300, 301], "value"] = "-9999"
    data.to_csv(csv, index=False)


def test_a_warm_start_keeps_the_missing_value_markers(tmp_path: Path) -> None:
    # The README's nightly line forgot --na-values: -9999 was learnt as a reading, and a
    # text marker stopped the retrain with "'Bad Input' is not a number".
    csv = tmp_path / "plant.csv"
    _marked(csv, 480)
    model = train_tiny(csv, tmp_path / "m", "--na-values", "Bad Input,-9999")
    _marked(csv, 504)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--warm-start"])
    assert result.exit_code == 0, result.output
    meta = _meta(model)
    assert meta["warm_start"]["from"]
    assert meta["data"]["spec"]["na_values"] == ["Bad Input", "-9999"]
    assert meta["data"]["series"][""]["rows"] == 504


def test_markers_given_again_on_a_warm_start_replace_the_bundles(tmp_path: Path,
                                                                 series_csv: Path) -> None:
    model = train_tiny(series_csv, tmp_path / "m", "--na-values", "-200")
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model),
                                 "--warm-start", "--na-values", "-9999"])
    assert result.exit_code == 0, result.output
    assert _meta(model)["data"]["spec"]["na_values"] == ["-9999"]


@pytest.mark.parametrize(("given", "differ"), [
    (["--window", "20"], "window 24 in the bundle, 20 now"),
    (["--segment", "5"], "segment 6 in the bundle, 5 now")], ids=["window", "segment"])
def test_a_window_the_bundles_segment_does_not_divide_is_a_change_of_shape(
        tmp_path: Path, series_csv: Path, given: list[str], differ: str) -> None:
    # It said "--window 20 is not a multiple of --segment 6; choose a segment that divides
    # the window": a segment the user never gave, and one that would fail next as a shape.
    model = train_tiny(series_csv, tmp_path / "m")
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model),
                                 "--warm-start", *given])
    line = one_error_line(result, 2)
    assert f"--warm-start: the bundle in {model} has another model shape: {differ};" in line


@pytest.mark.parametrize(("given", "said"), [
    (["--anomaly-window", "20"], "the segment is the bundle's in {m} (--warm-start keeps it, "
     "as it was given at its training); give --anomaly-segment too (one that divides 20, "
     "e.g. 5), or leave --anomaly-window out"),
    (["--anomaly-segment", "5"], "the window is the bundle's in {m} (--warm-start keeps it, "
     "as it was given at its training); give --anomaly-window too (a multiple of 5, "
     "e.g. 20), or leave --anomaly-segment out")], ids=["window", "segment"])
def test_an_anomaly_window_the_bundles_segment_does_not_divide_says_whose_it_is(
        tmp_path: Path, series_csv: Path, given: list[str], said: str) -> None:
    # It said "--anomaly-window 20 is not a multiple of --anomaly-segment 6; choose a
    # segment that divides the window": the 6 was the bundle's, never given on this run.
    model = train_tiny(series_csv, tmp_path / "m", "--anomaly", "--anomaly-window", "24",
                       "--anomaly-segment", "6", "--anomaly-epochs", "1")
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(model),
                                 "--warm-start", *given])
    line = one_error_line(result, 2)
    assert "is not a multiple of --anomaly-segment" in line
    assert line.endswith(said.format(m=model)), line
