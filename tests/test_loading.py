"""What the data layer accepts and how it cleans it (the failures are in test_data_errors.py)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec, expand_names
from forecaster.data.timestamps import step_numbers
from forecaster.errors import DataError

TINY = ["--no-anomaly", "--epochs", "1", "--folds", "1", "--window", "8", "--segment", "4",
        "--horizon", "2", "--hidden", "4", "--layers", "1"]
runner = CliRunner()


def hourly(n: int = 48, start: str = "2024-01-01") -> list[str]:
    """timestamp,value with value = row number."""
    idx = pd.date_range(start, periods=n, freq="h")
    return ["timestamp,value"] + [f"{t:%Y-%m-%d %H:%M:%S},{i}" for i, t in enumerate(idx)]


def train(path: Path, model: Path, *extra: str):
    return runner.invoke(app, ["train", str(path), "--model", str(model), *TINY, *extra])


def test_plain_file(tmp_path: Path) -> None:
    frame = load_frame(write_lines(tmp_path, hourly()), DataSpec())
    (s,) = frame.series
    assert frame.spec.time_col == "timestamp" and frame.spec.targets == ["value"]
    assert frame.freq == "h" and frame.n_filled == 0 and frame.notes == []
    assert str(s.index.tz) == "UTC" and len(s.index) == 48
    assert s.values.dtype == np.float64 and s.values[:3, 0].tolist() == [0, 1, 2]
    assert s.observed.all()


def test_values_keep_every_digit_of_the_file(tmp_path: Path) -> None:
    # A meter reading past 2^24: float32 would keep it only to the nearest 8 kWh.
    lines = hourly()
    lines[1:4] = [f"2024-01-01 0{i}:00:00,{v}" for i, v in
                  enumerate(["123556590.8", "123556641.3", "123456.78"])]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.values[:3, 0].tolist() == [123556590.8, 123556641.3, 123456.78]


def test_bom_works(tmp_path: Path) -> None:
    path = write_lines(tmp_path, hourly(60), prefix="\ufeff")
    frame = load_frame(path, DataSpec())
    assert frame.spec.time_col == "timestamp" and frame.spec.targets == ["value"]
    result = train(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "CURRENT").exists()


def test_crlf_quotes_and_spaces_work(tmp_path: Path) -> None:
    lines = [" timestamp , value "] + [f'"{line.split(",")[0]}" , {line.split(",")[1]} '
                                       for line in hourly()[1:]]
    path = tmp_path / "data.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    (s,) = load_frame(path, DataSpec()).series
    assert len(s.index) == 48 and s.values[-1, 0] == 47


def test_mixed_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    utc = pd.date_range("2024-03-30", periods=72, freq="h", tz="UTC")  # across a DST change
    stamps = [t.tz_convert("Europe/Paris").isoformat() if i % 2 else t.isoformat()
              for i, t in enumerate(utc)]
    path = write_lines(tmp_path, ["timestamp,value"] + [f"{t},{i}" for i, t in enumerate(stamps)])
    (s,) = load_frame(path, DataSpec()).series
    assert str(s.index.tz) == "UTC"
    assert s.index.equals(utc)
    assert s.values[:, 0].tolist() == list(range(72))


def test_day_first_dates_are_read_consistently(tmp_path: Path) -> None:
    path = write_lines(tmp_path, ["date,value"] + [f"{d:02d}/01/2024,{d}" for d in range(1, 29)])
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.freq == "D"
    assert s.index[0] == pd.Timestamp("2024-01-01", tz="UTC")
    assert s.index[-1] == pd.Timestamp("2024-01-28", tz="UTC")
    assert frame.n_filled == 0


@pytest.mark.parametrize(("stamps", "freq", "second", "last"), [
    # Monthly, day first: every day is 01, so month first reads them all as January.
    ([f"01/{m:02d}/{y}" for y in (2000, 2001, 2002) for m in range(1, 13)], "MS",
     "2000-02-01", "2002-12-01"),
    # Daily, day first, within the first twelve days of a month (dots, as in much of Europe).
    ([f"{d:02d}.02.2024" for d in range(1, 13)], "D", "2024-02-02", "2024-02-12"),
])
def test_day_first_dates_with_small_days_read_as_a_calendar(tmp_path: Path, stamps: list[str],
                                                             freq: str, second: str,
                                                             last: str) -> None:
    path = write_lines(tmp_path, ["date,value"] + [f"{t},{i}" for i, t in enumerate(stamps)])
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.freq == freq and frame.n_filled == 0
    assert s.index[1] == pd.Timestamp(second, tz="UTC")
    assert s.index[-1] == pd.Timestamp(last, tz="UTC")


def test_month_first_dates_stay_month_first(tmp_path: Path) -> None:
    stamps = [f"{m:02d}/01/2000" for m in range(1, 13)] + ["01/01/2001", "02/01/2001"]
    path = write_lines(tmp_path, ["date,value"] + [f"{t},1" for t in stamps])
    frame = load_frame(path, DataSpec())
    assert frame.freq == "MS" and frame.series[0].index[1] == pd.Timestamp("2000-02-01",
                                                                            tz="UTC")


@pytest.mark.parametrize(("policy", "expected"), [("first", 3.0), ("last", 100.0),
                                                   ("mean", 51.5)])
def test_duplicates_policies(tmp_path: Path, policy: str, expected: float) -> None:
    lines = hourly()
    lines.insert(5, lines[4].split(",")[0] + ",100")  # a second row for 03:00 (value 3)
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(duplicates=policy))
    (s,) = frame.series
    assert len(s.index) == 48
    assert s.values[3, 0] == pytest.approx(expected)
    assert s.values[4, 0] == 4
    kept = "mean" if policy == "mean" else f"{policy} row"
    assert (f"1 timestamp(s) repeat, in 2 rows; kept the {kept} of each (--duplicates "
            f"{policy})") in " ".join(frame.notes)


def test_repeated_rows_change_no_policy_and_merge_no_series(tmp_path: Path) -> None:
    # 103, 50, 103 at one time: --duplicates last keeps 103, mean 85.33, as they always did.
    lines = hourly()
    stamp = lines[4].split(",")[0]
    lines[4:5] = [f"{stamp},103", f"{stamp},50", f"{stamp},103"]
    path = write_lines(tmp_path, lines)
    for policy, expected in (("last", 103.0), ("mean", 256 / 3)):
        (s,) = load_frame(path, DataSpec(duplicates=policy)).series
        assert s.values[3, 0] == pytest.approx(expected)
    # Two sensors agreeing on every value but named in a column not read: still refused,
    # with the advice to name the series column, not merged into one series.
    rows = ["time,sensor,v"] + [f"2024-01-01 {h:02d}:00,{k},{h}" for h in range(24) for k in "AB"]
    with pytest.raises(DataError, match="--series-col"):
        load_frame(write_lines(tmp_path, rows, "two.csv"), DataSpec(targets=["v"]))


def test_the_repeated_row_note_names_the_first_repeat_in_the_file(tmp_path: Path) -> None:
    # Repeats at lines 62 (of line 50) and 63 (of line 4): the note named line 63, the
    # first in time order.
    lines = hourly(60)
    lines += [lines[49], lines[3]]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert any("left out 2 row(s) repeating an earlier row's time and values, first on line 62"
               in n for n in frame.notes), frame.notes


def test_duplicates_policy_through_cli(tmp_path: Path) -> None:
    lines = hourly(60)
    lines.insert(5, lines[4].split(",")[0] + ",100")
    result = train(write_lines(tmp_path, lines), tmp_path / "m", "--duplicates", "mean")
    assert result.exit_code == 0, result.output


def test_unsorted_rows_are_sorted_with_a_note(tmp_path: Path) -> None:
    lines = hourly(60)
    rng = np.random.default_rng(1)
    path = write_lines(tmp_path, [lines[0], *rng.permutation(lines[1:])])
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert s.values[:, 0].tolist() == list(range(60))
    assert any("sorted" in n for n in frame.notes)
    result = train(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert "not in time order" in result.stderr


@pytest.mark.parametrize(("policy", "expected"), [("interpolate", 5.0), ("ffill", 4.0),
                                                   ("zero", 0.0)])
@pytest.mark.parametrize("na", ["", "NaN", "null", ".", "#N/A"])  # ".": FRED, "#N/A": Excel
def test_missing_cells_are_filled(tmp_path: Path, policy: str, expected: float, na: str) -> None:
    lines = hourly()
    lines[6] = lines[6].split(",")[0] + "," + na  # value 5 is missing
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(fill=policy))
    (s,) = frame.series
    assert frame.n_filled == 1
    assert s.values[5, 0] == expected
    assert not s.observed[5, 0] and s.observed.sum() == 47
    assert not np.isnan(s.values).any()


def test_gap_in_grid_is_filled_and_counted(tmp_path: Path) -> None:
    lines = hourly(60)
    path = write_lines(tmp_path, lines[:21] + lines[26:])  # values 20..24 missing
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert len(s.index) == 60 and frame.n_filled == 5
    assert s.values[20:25, 0].tolist() == [20, 21, 22, 23, 24]  # linear interpolation
    assert not s.observed[20:25].any()
    assert any("filled 5 missing values in 5 row(s)" in n for n in frame.notes)
    result = train(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert "filled 5 missing values" in result.stderr


def test_given_freq_is_used(tmp_path: Path) -> None:
    idx = pd.date_range("2024-01-01", periods=30, freq="15min")
    path = write_lines(tmp_path, ["ts,value"] + [f"{t},{i}" for i, t in enumerate(idx)])
    assert load_frame(path, DataSpec(freq="15min")).freq == "15min"
    assert load_frame(path, DataSpec()).freq == "15min"


def test_monthly_frequency_is_inferred(tmp_path: Path) -> None:
    path = write_lines(tmp_path, ["month,value"] + [f"2024-{m:02d}-01,{m}" for m in range(1, 13)])
    frame = load_frame(path, DataSpec())
    assert frame.freq == "MS" and len(frame.series[0].index) == 12


def test_constant_series_trains_with_a_warning(tmp_path: Path) -> None:
    lines = ["timestamp,value"] + [f"{line.split(',')[0]},5" for line in hourly(60)[1:]]
    result = train(write_lines(tmp_path, lines), tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert "Warning:" in result.stderr and "constant" in result.stderr
    assert (tmp_path / "m" / "CURRENT").exists()


def test_two_thousand_columns_with_target(tmp_path: Path) -> None:
    idx = pd.date_range("2024-01-01", periods=60, freq="h")
    header = "timestamp," + ",".join(f"c{k}" for k in range(2000))
    row = ",".join(["1.5"] * 2000)
    lines = [header] + [f"{t}," + row.replace("1.5", str(i), 8) for i, t in enumerate(idx)]
    path = write_lines(tmp_path, lines)
    frame = load_frame(path, DataSpec(targets=["c7"]))
    assert frame.columns == ["c7"] and frame.series[0].values[:, 0].tolist() == list(range(60))
    result = train(path, tmp_path / "m", "--target", "c7")
    assert result.exit_code == 0, result.output


def test_long_format_several_series(tmp_path: Path) -> None:
    # The first series is short; the frequency comes from the longest one.
    lines = ["timestamp,store,sales,price"]
    lines += [f"2024-01-{d:02d},a,{d},1" for d in (5, 6)]
    lines += [f"2024-01-{d:02d},b,{10 + d},2" for d in range(1, 21)]
    frame = load_frame(write_lines(tmp_path, lines),
                       DataSpec(series_col="store", targets=["sales"], features=["price"]))
    assert frame.freq == "D"
    assert [s.name for s in frame.series] == ["a", "b"]
    assert [len(s.index) for s in frame.series] == [2, 20]
    assert frame.columns == ["sales", "price"]
    assert frame.series[1].values[0].tolist() == [11, 2]


def test_na_words_do_not_hide_a_numeric_column(tmp_path: Path) -> None:
    lines = hourly()
    for i in range(2, 20, 2):
        lines[i] = lines[i].split(",")[0] + ",NaN"
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.spec.targets == ["value"] and frame.n_filled == 9


def test_weekday_only_daily_rows_are_business_days(tmp_path: Path) -> None:
    # Market prices: no weekend rows, one holiday missing. A daily grid would fill in
    # every weekend (2 of 7 steps) and forecast Saturdays; a business-day grid fills the
    # holiday only, and the season is a trading week.
    from forecaster.baselines import season_length

    days = pd.bdate_range("2024-01-01", periods=60).delete(10)
    path = tmp_path / "prices.csv"
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": np.linspace(100, 110, 59)}
                 ).to_csv(path, index=False)
    frame = load_frame(path, DataSpec())
    assert frame.freq == "B" and frame.n_filled == 1 and season_length(frame.freq) == 5
    assert not (frame.series[0].index.day_of_week >= 5).any()
    daily = pd.date_range("2024-01-01", periods=60, freq="D")
    pd.DataFrame({"Date": daily.strftime("%Y-%m-%d"), "Close": np.arange(60.0)}
                 ).to_csv(path, index=False)
    assert load_frame(path, DataSpec()).freq == "D"


def test_business_day_forecasts_skip_weekends(tmp_path: Path) -> None:
    days = pd.bdate_range("2023-01-02", periods=400)
    path = tmp_path / "prices.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"),
                  "Close": 100 + np.cumsum(rng.normal(0, 1, 400))}).to_csv(path, index=False)
    model = tmp_path / "m"
    fast = ["--epochs", "1", "--ensemble", "1", "--hidden", "8", "--no-anomaly"]
    result = CliRunner().invoke(app, ["train", str(path), "--model", str(model), *fast])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    stamps = pd.to_datetime(pd.read_csv(io.StringIO(result.stdout))["timestamp"])
    assert len(stamps) == 5 and not (stamps.dt.day_of_week >= 5).any()


def test_bundle_from_before_business_days_keeps_its_daily_grid(tmp_path: Path,
                                                               monkeypatch) -> None:
    # A bundle trained when weekday-only rows were still read as daily ('D'): predict and
    # detect must keep working on the same file after the upgrade, not ask for a retrain.
    from forecaster.data import grid

    days = pd.bdate_range("2023-01-02", periods=301).delete(20)  # a holiday
    path = tmp_path / "prices.csv"
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": np.linspace(1, 2, 300)}
                 ).to_csv(path, index=False)
    model = tmp_path / "m"
    fast = ["--epochs", "1", "--ensemble", "1", "--hidden", "8", "--no-anomaly"]
    with monkeypatch.context() as m:
        m.setattr(grid, "_business_days", lambda times, step: False)
        result = CliRunner().invoke(app, ["train", str(path), "--model", str(model), *fast])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    stamps = pd.to_datetime(pd.read_csv(io.StringIO(result.stdout))["timestamp"])
    assert (stamps.diff().dropna() == pd.Timedelta(days=1)).all()  # the old daily grid


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_separators_load_like_commas(tmp_path: Path, sep: str) -> None:
    lines = [line.replace(",", sep) for line in hourly()]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    (s,) = frame.series
    assert frame.spec.targets == ["value"] and s.values[:, 0].tolist() == list(range(48))


def test_decimal_commas_in_a_semicolon_file(tmp_path: Path) -> None:
    lines = ["timestamp;value"] + [f"{line.split(',')[0]};{i},5" for i, line
                                   in enumerate(hourly()[1:])]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.values[:3, 0].tolist() == [0.5, 1.5, 2.5]


def test_thousands_dots_with_decimal_commas(tmp_path: Path) -> None:
    cells = ["1.234,5", "12.000", "987,25", "-2.500,0", "7"]
    lines = ["timestamp;kWh"] + [f"{line.split(',')[0]};{cells[i % 5]}" for i, line
                                 in enumerate(hourly()[1:])]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.values[:5, 0].tolist() == [1234.5, 12000.0, 987.25, -2500.0, 7.0]


def test_three_decimals_beside_a_stray_comma_are_not_thousands(tmp_path: Path) -> None:
    # 10.189 is a decimal dot unless some cell writes 1.234,5: one typo "10,5" must not
    # turn the whole column into ten-thousands.
    lines = ["timestamp;temp"] + [f"{line.split(',')[0]};{'10,5' if i == 7 else f'10.{i:03d}'}"
                                  for i, line in enumerate(hourly()[1:])]
    with pytest.raises(DataError, match=r"column 'temp' mixes decimal commas \(row 9: '10,5'\) "
                                        r"and decimal points"):
        load_frame(write_lines(tmp_path, lines), DataSpec(targets=["temp"]))


def test_a_dot_that_is_not_a_thousands_dot_leaves_commas_alone(tmp_path: Path) -> None:
    lines = ["timestamp;value"] + [f"{line.split(',')[0]};{'1,5' if i else '2.5'}"
                                   for i, line in enumerate(hourly()[1:])]
    with pytest.raises(DataError, match="no numeric column"):
        load_frame(write_lines(tmp_path, lines), DataSpec())


def test_question_mark_is_a_missing_value(tmp_path: Path) -> None:
    lines = hourly()
    lines[6] = lines[6].split(",")[0] + ",?"  # UCI files mark missing values so
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.n_filled == 1 and frame.series[0].values[5, 0] == 5.0


def test_date_and_time_columns_make_one_timestamp(tmp_path: Path) -> None:
    idx = pd.date_range("2006-12-16 17:24", periods=60, freq="min")
    lines = ["Date;Time;Global_active_power"] + [
        f"{t.day}/{t.month}/{t.year};{t:%H:%M:%S};{i}" for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines, "household.txt"), DataSpec())
    (s,) = frame.series
    assert frame.spec.time_parts == ["Date", "Time"] and frame.spec.time_col is None
    assert frame.spec.targets == ["Global_active_power"] and frame.freq == "min"
    assert s.index[0] == pd.Timestamp("2006-12-16 17:24", tz="UTC") and len(s.index) == 60


def test_a_date_column_beside_a_clock_column_of_any_name_is_split(tmp_path: Path) -> None:
    """Datum;Uhrzeit (or Fecha,Hora) are a date and its time of day, as Date;Time are: read
    alone, the dates repeated 24 times and the advice to average duplicates made a daily
    model of hourly data."""
    idx = pd.date_range("2024-01-01", periods=72, freq="h")
    lines = ["Datum;Uhrzeit;Temperatur"] + [f"{t:%d.%m.%Y};{t:%H:%M};{20 + i % 5},5"
                                            for i, t in enumerate(idx)]
    path = write_lines(tmp_path, lines)
    frame = load_frame(path, DataSpec())
    assert frame.spec.time_parts == ["Datum", "Uhrzeit"] and frame.freq == "h"
    assert (frame.series[0].index == idx.tz_localize("UTC")).all()
    # Named by hand, in any names; whole hours 0-23 are a time of day too.
    lines = ["Tag,Stunde,v"] + [f"{t:%Y-%m-%d},{t.hour},{i}" for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines, "h.csv"),
                       DataSpec(time_parts=["Tag", "Stunde"]))
    assert (frame.series[0].index == idx.tz_localize("UTC")).all()
    # 'v' counts 0, 1, ...: the first cell that is no hour 0-23 is the 24 of row 26.
    with pytest.raises(DataError, match="row 26, column 'v' should hold the time of day beside "
                                        "the dates, but holds '24'"):
        load_frame(tmp_path / "h.csv", DataSpec(time_parts=["Tag", "v"], targets=["Stunde"]))


def test_uci_air_quality_times_with_dots_are_times_of_day(tmp_path: Path) -> None:
    # Date;Time with 18.00.00: the dates alone were read (duplicates), and --time-col
    # Date,Time was refused with the advice to give --time-col Date,Time.
    idx = pd.date_range("2004-03-10 18:00", periods=72, freq="h")
    lines = ["Date;Time;CO(GT);T;;"] + [f"{t:%d/%m/%Y};{t:%H.%M.%S};2,6;{10 + i % 7},5;;"
                                        for i, t in enumerate(idx)] + [";;;;;"] * 3
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(targets=["T"]))
    assert frame.spec.time_parts == ["Date", "Time"] and frame.freq == "h"
    assert (frame.series[0].index == idx.tz_localize("UTC")).all()
    assert frame.series[0].values[1, 0] == 11.5


@pytest.mark.parametrize(("header", "row", "parts", "holds"), [
    ("Jahr,Monat,Umsatz", lambda i, t: f"{t.year},{t.month},{i}", ["Jahr", "Monat"], "2023"),
    ("Timestamp,Hour,v", lambda i, t: f"{t:%Y-%m-%d} 13:00,{i % 24},{i}",
     ["Timestamp", "Hour"], "2023-01-01 13:00"),
])
def test_a_split_time_needs_dates_alone_in_its_first_column(
        tmp_path: Path, header: str, row, parts: list[str], holds: str) -> None:
    """Jahr,Monat made months into hours; Timestamp,Hour dropped each row's 13:00."""
    idx = pd.date_range("2023-01-01", periods=30, freq="MS")
    path = write_lines(tmp_path, [header] + [row(i, t) for i, t in enumerate(idx)])
    with pytest.raises(DataError, match=f"'{parts[0]}' holds {holds}, not dates alone"):
        load_frame(path, DataSpec(time_parts=parts))


def test_daily_dates_beside_a_clock_keep_their_dates(tmp_path: Path) -> None:
    """A sunrise time (or the time a meter was read) beside daily dates is no time of day
    of the row: the dates alone are the timestamps."""
    idx = pd.date_range("2024-03-01", periods=60, freq="D")
    lines = ["Tag;Sonnenaufgang;Temperatur"] + [f"{t:%d.%m.%Y};06:{i % 60:02d};{i}"
                                                for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.spec.time_col == "Tag" and frame.freq == "D"


def test_unix_times_with_an_empty_cell_name_it(tmp_path: Path) -> None:
    lines = ["ts,v"] + [f"{1700000000 + 60 * i},{i}" for i in range(30)]
    lines[12] = ",5"
    with pytest.raises(DataError, match="row 13, column 'ts': cannot parse '' as a timestamp"):
        load_frame(write_lines(tmp_path, lines), DataSpec())


def test_a_missing_dot_cell_leaves_thousands_dots_read_as_thousands(tmp_path: Path) -> None:
    idx = pd.date_range("2024-01-01", periods=60, freq="h")
    cells = [f"1.{i:03d}" if i % 2 else str(900 + i) for i in range(60)]
    cells[5] = "."  # FRED's missing value
    lines = ["Zeit;Anzahl"] + [f"{t:%d.%m.%Y %H:%M};{c}" for t, c in zip(idx, cells, strict=True)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.series[0].values[1, 0] == 1001.0


def test_influxdb_annotated_csv_reads_its_time_column(tmp_path: Path) -> None:
    """InfluxDB 2's export has the query's _start and _stop before _time: the time is _time."""
    idx = pd.date_range("2024-01-01", periods=48, freq="h")
    lines = ["#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double",
             "#default,_result,,,,,", ",result,table,_start,_stop,_time,_value"] + [
        f",,0,2024-01-01T00:00:00Z,2024-01-03T00:00:00Z,{t:%Y-%m-%dT%H:%M:%SZ},{i}"
        for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(targets=["_value"]))
    assert frame.spec.time_col == "_time" and frame.freq == "h"


def test_year_month_day_hour_columns_make_one_timestamp(tmp_path: Path) -> None:
    idx = pd.date_range("2010-01-01", periods=48, freq="h")
    lines = ["year,month,day,hour,pm2.5"] + [f"{t.year},{t.month},{t.day},{t.hour},{i}"
                                              for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    (s,) = frame.series
    assert frame.spec.time_parts == ["year", "month", "day", "hour"]
    assert frame.spec.targets == ["pm2.5"] and frame.freq == "h"
    assert (s.index == idx.tz_localize("UTC")).all()


def test_a_bare_year_column_is_an_annual_series(tmp_path: Path) -> None:
    lines = ["Year,Flow"] + [f"{y},{1000 + (y % 7) * 10}" for y in range(1871, 1971)]
    path = write_lines(tmp_path, lines)
    frame = load_frame(path, DataSpec())
    assert frame.spec.time_parts == ["Year"] and frame.series[0].index[0].year == 1871
    model = tmp_path / "m"
    res = train(path, model)
    assert res.exit_code == 0, res.output
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout), parse_dates=["timestamp"])
    assert out["timestamp"].dt.year.tolist() == [1971, 1972]


@pytest.mark.parametrize("time_col", [["--time-col", "year,month,day,hour"],
                                      # repeated: the option parser kept only 'hour'
                                      [a for c in ("year", "month", "day", "hour")
                                       for a in ("--time-col", c)]])
def test_time_col_names_a_split_timestamp(tmp_path: Path, time_col: list[str]) -> None:
    idx = pd.date_range("2010-01-01", periods=60, freq="h")
    lines = ["No,year,month,day,hour,pm2.5"] + [
        f"{i + 1},{t.year},{t.month},{t.day},{t.hour},{np.sin(i / 4):.3f}"
        for i, t in enumerate(idx)]
    path = write_lines(tmp_path, lines)
    model = tmp_path / "m"
    result = train(path, model, *time_col, "--target", "pm2.5")
    assert result.exit_code == 0, result.output
    info = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert json.loads(info.stdout)["data"]["time"] == "year + month + day + hour"
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout), parse_dates=["timestamp"])
    assert out["timestamp"].iloc[0] == pd.Timestamp("2010-01-03 12:00", tz="UTC")


@pytest.mark.parametrize(("scale", "unit"), [(1, "s"), (1000, "ms"), (10**6, "us"),
                                             (10**9, "ns")])
def test_unix_epoch_times(tmp_path: Path, scale: int, unit: str) -> None:
    start = 1388534400  # 2014-01-01 00:00 UTC
    lines = ["timestamp,value"] + [f"{(start + 300 * i) * scale},{i}" for i in range(48)]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.index[0] == pd.Timestamp("2014-01-01", tz="UTC"), unit
    assert s.index[-1] == pd.Timestamp("2014-01-01 03:55", tz="UTC")


def test_fractional_epoch_seconds_are_read_exactly(tmp_path: Path) -> None:
    """Prometheus writes 1700000000.123: through a float it came back as .122999907, so a
    --since copied from the file missed its row."""
    lines = ["timestamp,value"] + [f"{1700000000 + 15 * i}.123,{i}" for i in range(48)]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.index[0] == pd.Timestamp("2023-11-14 22:13:20.123", tz="UTC")


def test_bare_years_in_a_date_column(tmp_path: Path) -> None:
    lines = ["date,value"] + [f"{y},{y % 5}" for y in range(1900, 1960)]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.index[0].year == 1900 and s.index[-1].year == 1959


@pytest.mark.parametrize("fmt", ["%Y%m%d%H", "%Y%m%d%H%M", "%Y%m%d%H%M%S"])
def test_compact_date_numbers_are_dates_not_epochs(tmp_path: Path, fmt: str) -> None:
    # 2024013113 is also a plausible epoch second (in 2034): the date reading wins.
    idx = pd.date_range("2024-01-31 13:00", periods=48, freq="h")
    lines = ["timestamp,value"] + [f"{t.strftime(fmt)},{i}" for i, t in enumerate(idx)]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert (s.index == idx.tz_localize("UTC")).all()


def test_decimal_commas_found_after_many_whole_numbers(tmp_path: Path) -> None:
    # A solar file: zeros all night, then 120,5 kW; a first-rows sample would miss them.
    lines = ["time;pv"] + [f"{line.split(',')[0]};{0 if i < 120 else f'{i},5'}"
                           for i, line in enumerate(hourly(150)[1:])]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.values[119, 0] == 0 and s.values[140, 0] == 140.5


@pytest.mark.parametrize(("sep", "name"), [("\t", "price, USD"), (";", "Leistung, kW")])
def test_a_comma_inside_a_column_name_does_not_pick_the_separator(tmp_path: Path, sep: str,
                                                                   name: str) -> None:
    lines = [f"time{sep}{name}"] + [line.replace(",", sep) for line in hourly()[1:]]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.spec.targets == [name] and len(frame.series[0].index) == 48


def test_a_step_column_in_the_range_of_years_is_still_steps(tmp_path: Path) -> None:
    lines = ["step,value"] + [f"{2000 + i},{i % 5}" for i in range(60)]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert step_numbers(s.index)[[0, -1]].tolist() == [2000, 2059]


def test_the_fill_note_counts_rows_as_well_as_values(tmp_path: Path) -> None:
    lines = ["timestamp,a,b"] + [f"{line.split(',')[0]},{i},{i}" for i, line
                                 in enumerate(hourly(30)[1:])]
    frame = load_frame(write_lines(tmp_path, lines[:11] + lines[14:]), DataSpec(targets=["a", "b"]))
    assert frame.n_filled == 6
    assert any("filled 6 missing values in 3 row(s)" in n for n in frame.notes)


def test_names_with_digits_are_a_header(tmp_path: Path) -> None:
    # Only a first line of numbers and dates is data; 'T1' would parse as a time of day.
    lines = ["timestamp,T1"] + hourly()[1:]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.spec.targets == ["T1"] and len(frame.series[0].index) == 48


def test_a_column_named_with_a_comma_can_be_chosen(tmp_path: Path) -> None:
    lines = ['timestamp,"price, USD",volume'] + [f"{r},{i % 5}" for i, r in
                                                  enumerate(hourly(60)[1:])]
    path = write_lines(tmp_path, lines)
    result = train(path, tmp_path / "m", "--target", "price, USD", "--features", "volume")
    assert result.exit_code == 0, result.output
    frame = load_frame(path, DataSpec(targets=["price,USD"], features=["volume"]))
    assert frame.spec.targets == ["price, USD"] and frame.spec.features == ["volume"]


@pytest.mark.parametrize(("given", "expected"), [
    (["price, USD"], ["price, USD"]),
    (["price ,USD"], ["price, USD"]),
    (["a,b"], ["a", "b"]),
    (["a, b", "volume"], ["a", "b", "volume"]),
    (["a,nope"], ["a", "nope"]),
    (["nope, USD2"], ["nope, USD2"]),
])
def test_expand_names(given: list[str], expected: list[str]) -> None:
    assert expand_names(given, ["timestamp", "price, USD", "a", "b", "volume"]) == expected


def test_rows_off_the_grid_are_dropped_with_a_note(tmp_path: Path) -> None:
    # One row in 200 off the hourly grid is tolerated, but its value must not vanish unsaid.
    lines = hourly(200) + ["2024-01-09 07:30:00,9999"]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    (s,) = frame.series
    assert frame.freq == "h" and 9999 not in s.values[:, 0]
    assert any("dropped 1 row(s) off the 'h' grid, first at 2024-01-09T07:30:00+00:00" in n
               for n in frame.notes), frame.notes
    result = train(write_lines(tmp_path, lines), tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert "dropped 1 row(s) off the 'h' grid" in result.stderr
    for command in (["predict"], ["detect-anomalies", "--method", "forecast", "--last", "3",
                                  "--exit-zero"]):
        result = runner.invoke(app, [*command, "--model", str(tmp_path / "m")])
        assert result.exit_code == 0, result.output
        assert "dropped 1 row(s) off the 'h' grid" in result.stderr  # not silent here either


def test_a_last_row_off_the_grid_makes_up_no_step(tmp_path: Path) -> None:
    # 08:30 after 07:00: the grid ran to 08:00, a step with no row, filled and forecast from.
    lines = hourly(200) + ["2024-01-09 08:30:00,9999"]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    (s,) = frame.series
    assert s.index[-1] == pd.Timestamp("2024-01-09 07:00", tz="UTC") and s.observed.all()


def test_whole_thousands_with_dots_beside_hundreds(tmp_path: Path) -> None:
    # A European export of counts: 1.136 is 1136 beside 900; read as decimals every value
    # past 999 became about 1, silently.
    cells = ["900", "1.136", "777", "12.000", "NA", "-1.250"]
    lines = ["timestamp;Wert"] + [f"{line.split(',')[0]};{cells[i % 6]}" for i, line
                                  in enumerate(hourly()[1:])]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.series[0].values[:6, 0].tolist() == [900, 1136, 777, 12000, 5375, -1250]
    assert any("read 1.136 as 1136" in n for n in frame.notes)
    decimals = ["timestamp;temp"] + [f"{line.split(',')[0]};{'1.136' if i % 2 else '2'}"
                                     for i, line in enumerate(hourly()[1:])]
    (s,) = load_frame(write_lines(tmp_path, decimals), DataSpec()).series  # plain cells are units
    assert s.values[:2, 0].tolist() == [2.0, 1.136]


def test_decimal_commas_beside_many_missing_words(tmp_path: Path) -> None:
    lines = ["timestamp;value"] + [f"{line.split(',')[0]};{'NA' if i % 6 == 0 else f'{i},5'}"
                                   for i, line in enumerate(hourly()[1:])]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.values[1:3, 0].tolist() == [1.5, 2.5] and not s.observed[0, 0]


def test_a_grid_mostly_filled_in_says_so(tmp_path: Path) -> None:
    # A given --freq lets a feed that was down most of the time through (its outages are
    # filled and masked); the note must say how little of the grid was observed.
    times = pd.date_range("2024-01-01", periods=400, freq="5min")
    kept = [t for i, t in enumerate(times) if i % 10 < 4 or i < 20]  # 40 % of the steps
    lines = ["timestamp,value"] + [f"{t:%Y-%m-%d %H:%M},{i}" for i, t in enumerate(kept)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(freq="5min"))
    (note,) = [n for n in frame.notes if "filled" in n]
    assert "of the grid's 394 rows are filled in, not observed; check --freq" in note
    few = load_frame(write_lines(tmp_path, hourly()), DataSpec())
    assert not any("not observed" in n for n in few.notes)


def test_spreadsheet_padding_is_left_out(tmp_path: Path) -> None:
    """Excel's empty unnamed columns and empty last rows: left out with a note, not refused
    as "repeated column name ''" or an empty timestamp."""
    idx = pd.date_range("2024-01-01", periods=48, freq="h")
    lines = ["Timestamp,Temp,,"] + [f"{t:%m/%d/%Y %H:%M},{i},," for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines + [",,,"] * 3), DataSpec())
    assert frame.spec.targets == ["Temp"] and len(frame.series[0].index) == 48
    assert any("2 empty column(s) with no name and 3 empty row(s)" in n for n in frame.notes)
    # A column with no name but with values (R's row names) is kept.
    lines = ['"",time,x'] + [f"{i + 1},{t:%Y-%m-%d %H:%M},{i}" for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines, "r.csv"), DataSpec(targets=["x"]))
    assert not frame.notes


def test_short_padding_rows_are_left_out_by_either_reader(tmp_path: Path, engine) -> None:
    # ",," under a four-column header: pyarrow refused the line, Python's reader took it.
    idx = pd.date_range("2024-01-01", periods=48, freq="h")
    lines = ["Timestamp,Temp,,"] + [f"{t:%Y-%m-%d %H:%M},{i},," for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines + [",,", ",", ""]), DataSpec())
    assert len(frame.series[0].index) == 48
    assert any("left out 2 line(s) of bare separators" in n for n in frame.notes)
    # A row cut short inside the table is still refused with its line.
    with pytest.raises(DataError, match="line 3 has"):
        load_frame(write_lines(tmp_path, lines[:2] + [",,"] + lines[2:], "mid.csv"), DataSpec())


@pytest.mark.parametrize(("header", "row", "first", "note"), [
    # Investing.com writes "5,003.46" in a comma-separated file: a number, not text.
    ('"Date","Price"', lambda i, t: f'"{t:%m/%d/%Y}","{5000 + i * 1.5:,.2f}"', 5000.0,
     "read 5,000.00 as 5000.00 (commas grouping thousands)"),
    # Kaggle's daily website visitors: whole counts, "1,204" beside 921, or all grouped.
    ("Date,Visits", lambda i, t: f'{t:%m/%d/%Y},"{921 + 97 * i:,}"', 921.0,
     "read 1,018 as 1018 (commas grouping thousands)"),
    # 2.000 and 2.181 in a semicolon file: decimals or watts? Read as decimals, and said.
    ("Zeit;Leistung", lambda i, t: f"{t:%d.%m.%Y %H:%M};{2 + (i % 7) * 0.181:.3f}", 2.0,
     "read 2.000 as a decimal; if its dots group thousands"),
], ids=["thousands-commas", "whole-thousands-beside-hundreds", "dotted-thousands-only"])
def test_grouped_digits_are_read_with_a_note(tmp_path: Path, header: str, row, first: float,
                                             note: str) -> None:
    idx = pd.date_range("2024-01-01", periods=48, freq="D")
    lines = [header] + [row(i, t) for i, t in enumerate(idx)]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.series[0].values[0, 0] == first
    assert any(note in n for n in frame.notes), frame.notes


def test_a_note_on_how_a_column_was_read_is_shown_only_where_it_is_read(tmp_path: Path) -> None:
    # UCI's household power: the voltage (234.840, every value with three decimals) beside
    # the active power forecast. A note on the voltage in every cron run helped no one.
    idx = pd.date_range("2024-01-01", periods=48, freq="min")
    lines = ["Date;Time;Global_active_power;Voltage"] + [
        f"{t:%d/%m/%Y};{t:%H:%M:%S};{0.2 + (i % 5) * 0.75:.3f};{234 + (i % 7) * 0.21:.3f}"
        for i, t in enumerate(idx)]
    path = write_lines(tmp_path, lines)
    frame = load_frame(path, DataSpec(targets=["Global_active_power"]))
    assert not any("Voltage" in n for n in frame.notes), frame.notes
    spec = DataSpec(targets=["Global_active_power"], features=["Voltage"])
    assert any("column 'Voltage': read 234.000 as a decimal" in n
               for n in load_frame(path, spec).notes)


@pytest.mark.parametrize(("cells", "message"), [
    # "0,411" beside "1,137": no thousands grouping starts with 0; read as 1137 and 411.
    (("0,411", "1,137"), "'0,411' is not a number"),
    # "1,000" and "3,227" alone: 3,227 kg or 3.227 kg? Read as thousands, 1000 times too big.
    (("1,000", "3,227"), "'1,000' is not a number; expected numeric values (48 bad in all); "
                         "its commas may group thousands (3,227 for 3227) or mark decimals"),
])
def test_quoted_decimal_commas_are_not_read_as_thousands(tmp_path: Path, cells: tuple,
                                                         message: str) -> None:
    idx = pd.date_range("2024-01-01", periods=48, freq="D")
    lines = ["date,weight_kg"] + [f'{t:%Y-%m-%d},"{cells[i % 2]}"' for i, t in enumerate(idx)]
    with pytest.raises(DataError, match=re.escape(message)):
        load_frame(write_lines(tmp_path, lines), DataSpec(targets=["weight_kg"]))


def test_rows_are_named_by_their_lines_past_blank_lines(tmp_path: Path) -> None:
    """The readers skip blank lines: every error after one named the line above the fault,
    and a repeated header (InfluxDB's tables, a blank line apart) the line above it."""
    idx = pd.date_range("2024-01-01", periods=80, freq="h")
    lines = ["time,v"] + [f"{t:%Y-%m-%dT%H:%M:%S},{i}" for i, t in enumerate(idx)]
    lines[40] = ""  # a blank line inside the table
    lines[61] = "2024-01-01Tbad,3"  # line 62 of the file
    with pytest.raises(DataError, match="row 62, column 'time': cannot parse '2024-01-01Tbad'"):
        load_frame(write_lines(tmp_path, lines), DataSpec())
    lines[61] = "time,v"  # a second table's header, on line 62
    with pytest.raises(DataError, match="line 62 repeats the header"):
        load_frame(write_lines(tmp_path, lines, "joined.csv"), DataSpec())
