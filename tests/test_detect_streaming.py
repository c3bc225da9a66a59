"""``forecast detect-anomalies`` writes its per-step table series by series (issue 6)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.anomaly.events import events_table
from forecaster.anomaly.settings import DetectSettings
from forecaster.cli import app
from forecaster.errors import DataError
from forecaster.io import render, write_parts
from forecaster.pipeline.detecting import DetectionRun, detect

runner = CliRunner()
ANOMALY = [a for a in TINY if a != "--no-anomaly"] + [
    "--anomaly-window", "24", "--anomaly-segment", "6", "--anomaly-epochs", "2"]


def _multi(n_series: int = 3, n: int = 480) -> pd.DataFrame:
    parts = []
    for k in range(n_series):
        df = make_series(n=n, seed=k)
        if k == 1:
            df.loc[300:305, "value"] += 25.0  # an obvious fault, so there are events
        parts.append(df.assign(series=f"s{k}"))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A three-series CSV and a bundle (with its anomaly model) trained on it."""
    root = tmp_path_factory.mktemp("stream")
    csv, model = root / "multi.csv", root / "m"
    _multi().to_csv(csv, index=False)
    result = runner.invoke(app, ["train", str(csv), "--model", str(model), "--series-col",
                                 "series", *ANOMALY])
    assert result.exit_code == 0, result.output
    return csv, model


def _detect(model: Path, csv: Path, *extra: str):
    return runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data", str(csv),
                               "--quiet", *extra])


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_streamed_output_is_the_rendered_whole_table(multi: tuple[Path, Path], tmp_path: Path,
                                                     fmt: str) -> None:
    csv, model = multi
    found = detect(DetectSettings(model_dir=model, data=csv))
    assert found.table["series"].nunique() == 3 and found.table["is_anomaly"].any()
    expected = render(found.table, fmt)
    out = tmp_path / f"out.{fmt}"
    result = _detect(model, csv, "--format", fmt, "--output", str(out))
    assert result.exit_code == 1, result.output
    assert out.read_text(encoding="utf-8") == expected
    assert _detect(model, csv, "--format", fmt).stdout == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_events_and_note_unchanged(multi: tuple[Path, Path]) -> None:
    csv, model = multi
    found = detect(DetectSettings(model_dir=model, data=csv))
    # Events gathered per series are those of the whole table.
    pd.testing.assert_frame_equal(found.events, events_table(found.table))
    result = runner.invoke(app, ["detect-anomalies", "--model", str(model), "--data", str(csv),
                                 "--events"])
    assert result.exit_code == 1
    assert result.stdout == render(found.events, "csv")
    note = (f"{len(found.events)} anomalous event(s), {int(found.table['is_anomaly'].sum())} "
            f"flagged step(s); {found.rule} threshold {found.threshold:.3g}")
    assert note in result.stderr
    res = _detect(model, csv, "--exit-zero")
    assert res.exit_code == 0, res.output


def test_failure_midway_leaves_the_output_file_alone(multi: tuple[Path, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    csv, model = multi
    real, calls = DetectionRun.score_series, []

    def second_fails(self: DetectionRun, s):
        calls.append(s.name)
        if len(calls) == 2:
            raise DataError(f"series '{s.name}': scoring failed")
        return real(self, s)

    monkeypatch.setattr(DetectionRun, "score_series", second_fails)
    out = tmp_path / "out.csv"
    out.write_text("old contents\n", encoding="utf-8")
    result = _detect(model, csv, "--output", str(out))
    assert result.exit_code == DataError.exit_code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: series 's1'"), result.stderr
    assert out.read_text(encoding="utf-8") == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_short_series_is_skipped_before_any_output(multi: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    _, model = multi
    df = _multi()
    short = tmp_path / "short.csv"
    df[(df["series"] != "s2") | (df.index % 480 < 10)].to_csv(short, index=False)
    result = _detect(model, short)
    assert result.exit_code in (0, 1), result.output
    assert "s2" not in set(pd.read_csv(io.StringIO(result.stdout))["series"])
    assert "Warning: series 's2' has 10 rows; the anomaly model needs" in result.stderr


@pytest.mark.parametrize("batch", [1, 3, 20_000])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_write_parts_matches_render_with_empty_parts(fmt: str, batch: int,
                                                     monkeypatch) -> None:
    # Parts are joined into batches (thousands of one-row series were formatted one by one).
    monkeypatch.setattr("forecaster.io.BATCH_ROWS", batch)
    stamps = pd.date_range("2024-01-01", periods=4, freq="h", tz="UTC")
    df = pd.DataFrame({"series": "a", "timestamp": stamps, "score": [0.5, float("nan"), 2, 3],
                       "is_anomaly": [False, False, True, True]})
    empty = df.iloc[:0]
    for parts in ([df], [empty, df.iloc[:1], empty, df.iloc[1:]], [empty, empty],
                  [df.iloc[i:i + 1] for i in range(4)]):
        fh = io.StringIO()
        write_parts(fh, parts, fmt)
        assert fh.getvalue() == render(pd.concat(parts, ignore_index=True), fmt)


@pytest.mark.parametrize("events", [False, True])
def test_plot_leaves_the_output_unchanged(multi: tuple[Path, Path], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, events: bool) -> None:
    csv, model = multi
    extra = ["--events"] if events else []
    plain = _detect(model, csv, *extra)
    import forecaster.plotting as plotting

    drawn = {}

    def spy(table, found, path):
        drawn.update(series=sorted(table["series"].unique()), events=len(found))
        Path(path).write_bytes(b"png")

    monkeypatch.setattr(plotting, "MAX_SERIES", 2)
    monkeypatch.setattr(plotting, "plot_detection", spy)
    png = tmp_path / "p.png"
    plotted = _detect(model, csv, *extra, "--plot", str(png))
    assert plotted.exit_code == plain.exit_code == 1, plotted.output
    assert plotted.stdout == plain.stdout and png.exists()
    # Only the series drawn are kept; the events are those of every series.
    assert drawn["series"] == ["s0", "s1"]
    assert drawn["events"] == len(pd.read_csv(io.StringIO(_detect(model, csv, "--events").stdout)))


def test_negative_zero_is_written_as_zero() -> None:
    df = pd.DataFrame({"forecast": [-0.0, 1.5]})
    assert render(df, "csv").splitlines()[1] == "0"
    assert '"forecast": 0.0' in render(df, "json")


def test_csv_keeps_the_digits_a_float32_value_holds() -> None:
    df = pd.DataFrame({"value": np.float32([1234567.0, 60.091, 4312.25])})
    assert render(df, "csv").splitlines()[1:] == ["1234567", "60.091", "4312.25"]


def test_echoed_values_are_written_as_read_and_large_numbers_in_whole_units() -> None:
    # A meter reading and a price with more digits than float32 holds, echoed from the CSV.
    df = pd.DataFrame({"value": [123556590.8, 123456.78, 0.12345678901234566],
                       "forecast": np.float32([123556592.0, 60.091, 1e-12]),
                       "lower": [12345678.9, 4312.25, -0.5]})
    rows = render(df, "csv").splitlines()[1:]
    assert rows == ["123556590.8,123556592,12345679", "123456.78,60.091,4312.25",
                    "0.12345678901234566,1e-12,-0.5"]
    records = json.loads(render(df, "json"))
    assert [r["value"] for r in records] == [123556590.8, 123456.78, 0.12345678901234566]
    assert records[0]["forecast"] == 123556592.0 and records[1]["forecast"] == 60.091


def test_whole_numbers_are_echoed_without_a_decimal_point() -> None:
    # AirPassengers' 112 passengers is echoed as the file has it, not as 112.0.
    df = pd.DataFrame({"value": [112.0, -25.0, 1.5, 1e22, np.nan], "actual": [0.0] * 5})
    rows = render(df, "csv").splitlines()[1:]
    assert rows == ["112,0", "-25,0", "1.5,0", "1e+22,0", ",0"]


def test_json_writes_missing_and_infinite_numbers_as_null() -> None:
    df = pd.DataFrame({"score": [np.nan, np.inf, 1.5], "is_anomaly": [False, True, False]})
    assert [(r["score"], r["is_anomaly"]) for r in json.loads(render(df, "json"))] == [
        (None, False), (None, True), (1.5, False)]


def test_a_narrow_interval_on_a_large_level_keeps_its_digits() -> None:
    # 1e8 varying by 0.01 printed forecast, lower and upper all as 100000000; from 1e15 on,
    # %.7g printed 2^53 + 3t as 9.007199e+15 in every cell.
    f = np.array([1e8 + 0.1, 1e8 + 0.125, 2.0**53 + 12, 60.19773000000001])
    df = pd.DataFrame({"forecast": f, "lower": f - [0.004, 0.004, 30, 0.73218],
                       "upper": f + [0.005, 0.005, 40, 0.82383]})
    rows = render(df, "csv").splitlines()[1:]
    assert rows == ["100000000.1,100000000.096,100000000.105",
                    "100000000.125,100000000.121,100000000.13",
                    "9007199254741004,9007199254740974,9007199254741044",
                    "60.19773,59.46555,61.02156"]  # ordinary rows: 7 digits as before
    records = json.loads(render(df, "json"))
    assert [r["lower"] for r in records[:2]] == [100000000.096, 100000000.121]
    wide = pd.DataFrame({"forecast": [123556612.4], "lower": [123556500.2], "upper": [2e8]})
    assert render(wide, "csv").splitlines()[1] == "123556612,123556500,200000000"


def test_rows_asked_for_before_the_first_forecast_window_are_said_to_get_no_score(
        trained: Path) -> None:
    # --method forecast --last 1000 on 480 rows: the first rows (no input window before
    # them) came back with an empty score, in silence; a cron job read them as normal.
    result = runner.invoke(app, ["detect-anomalies", "--model", str(trained), "--method",
                                 "forecast", "--last", "1000", "--exit-zero"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    unscored = [r for r in rows if r["score"] == ""]
    assert len(unscored) == 24 and len(rows) == 480, (len(unscored), len(rows))
    assert ("24 row(s) that --last 1000 asked for got no score, first at "
            "2024-01-01T00:00:00+00:00: --method forecast scores a row from the 24 rows "
            "before it, and a series' first 24 rows have fewer") in result.stderr, result.stderr
    whole = runner.invoke(app, ["detect-anomalies", "--model", str(trained), "--method",
                                "forecast", "--exit-zero"])
    assert whole.exit_code == 0 and "got no score" not in whole.stderr, whole.stderr
