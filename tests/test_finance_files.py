"""Files as finance sites and libraries write them: yfinance's header of several rows,
Nasdaq's dollar amounts, histdata.com's rows without a header, investing.com's German
numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import write_lines
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError

TINY = ["--no-anomaly", "--epochs", "1", "--folds", "1", "--window", "8", "--segment", "4",
        "--horizon", "2", "--hidden", "4", "--layers", "1"]
runner = CliRunner()
DAYS = pd.bdate_range("2024-01-02", periods=40)


def yfinance(tickers: list[str]) -> list[str]:
    """yf.download(tickers).to_csv(): Price, Ticker and Date rows; Close = 100 + row (+ 1000
    for the second ticker), Volume = 5000 + row."""
    fields = [(f, t) for f in ("Close", "Volume") for t in tickers]
    lines = [",".join(["Price", *(f for f, _ in fields)]),
             ",".join(["Ticker", *(t for _, t in fields)]), "Date" + "," * len(fields)]
    for i, day in enumerate(DAYS):
        cells = [100 + i + 1000 * tickers.index(t) if f == "Close" else 5000 + i
                 for f, t in fields]
        lines.append(",".join([f"{day:%Y-%m-%d}", *map(str, cells)]))
    return lines


def test_yfinance_header_of_three_rows_trains(tmp_path: Path) -> None:
    path = write_lines(tmp_path, yfinance(["AAPL"]))
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY,
                                 "--target", "Close"])
    assert result.exit_code == 0, result.output
    frame = load_frame(path, DataSpec(targets=["Close"], features=["Volume"]))
    assert frame.spec.time_col == "Date" and frame.freq == "B"
    (s,) = frame.series
    assert s.index[0] == pd.Timestamp("2024-01-02", tz="UTC") and len(s.index) == 40
    assert s.values[:2].tolist() == [[100, 5000], [101, 5001]]
    assert any("3 header rows" in n for n in frame.notes)


def test_yfinance_two_tickers_join_the_header_rows(tmp_path: Path) -> None:
    path = write_lines(tmp_path, yfinance(["AAPL", "MSFT"]))
    frame = load_frame(path, DataSpec(targets=["Close MSFT", "Close AAPL"]))
    (s,) = frame.series
    assert s.values[0].tolist() == [1100, 100]
    assert any("joining" in n and "'Close AAPL'" in n for n in frame.notes)
    with pytest.raises(DataError, match="several numeric columns.*Volume MSFT"):
        load_frame(path, DataSpec())


def test_yfinance_rows_keep_their_file_line_numbers(tmp_path: Path) -> None:
    lines = yfinance(["AAPL"])
    lines[5] = lines[5].replace(",102,", ",x,")
    with pytest.raises(DataError, match=r"row 6, column 'Close': 'x'"):
        load_frame(write_lines(tmp_path, lines), DataSpec(targets=["Close"]))


def test_a_second_row_of_text_under_a_header_is_no_header_row(tmp_path: Path) -> None:
    lines = ["date,value", "Ticker,AAPL", "Date,", "2024-01-02,1", "2024-01-03,2"]
    with pytest.raises(DataError, match="row 2, column 'value': 'AAPL'"):
        load_frame(write_lines(tmp_path, lines), DataSpec())


def nasdaq(n: int = 40) -> list[str]:
    """Nasdaq.com's historical data: newest first, prices with a dollar sign."""
    lines = ["Date,Close/Last,Volume,Open"]
    for i, day in enumerate(DAYS[:n]):
        lines.insert(1, f"{day:%m/%d/%Y},${100 + i}.25,{5000 + i},${99 + i}.5")
    return lines


def test_nasdaq_dollar_prices_are_numbers(tmp_path: Path) -> None:
    path = write_lines(tmp_path, nasdaq())
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY,
                                 "--target", "Close/Last"])
    assert result.exit_code == 0, result.output
    frame = load_frame(path, DataSpec(targets=["Close/Last"], features=["Open"]))
    (s,) = frame.series
    assert s.values[:2].tolist() == [[100.25, 99.5], [101.25, 100.5]]
    assert any("'Close/Last'" in n and "currency sign" in n for n in frame.notes)
    with pytest.raises(DataError, match=r"several numeric columns \(Close/Last, Volume, Open"):
        load_frame(path, DataSpec())  # the volume is no longer taken silently


@pytest.mark.parametrize(("cells", "expected"), [
    (["$1,234.50", "-$5", "$-2.5"], [1234.5, -5, -2.5]),
    (["12.5 €", "-3 €", ""], [12.5, -3, None]),
    (["£7", "NA", "£0.25"], [7, None, 0.25]),
])
def test_currency_signs_before_or_after_a_number(tmp_path: Path, cells: list[str],
                                                 expected: list) -> None:
    lines = ["timestamp,price"] + [f'2024-01-0{i + 1},"{c}"' for i, c in enumerate(cells)]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec(fill="zero")).series
    assert s.values[:3, 0].tolist() == [0 if v is None else v for v in expected]


def test_signs_that_differ_within_a_column_stay_text(tmp_path: Path) -> None:
    lines = ["timestamp,price,volume", "2024-01-01,$5,1", "2024-01-02,€5,2", "2024-01-03,$6,3"]
    with pytest.raises(DataError, match=r"row 2, column 'price': '\$5' is not a number"):
        load_frame(write_lines(tmp_path, lines), DataSpec(targets=["price"]))


def test_a_default_target_names_the_columns_left_out_as_text(tmp_path: Path) -> None:
    lines = ["Date,Change %,Volume,Note,Empty"] + [
        f"{day:%Y-%m-%d},{i / 10}%,{100 + i},ok," for i, day in enumerate(DAYS[:10])]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec())
    assert frame.spec.targets == ["Volume"]
    (note,) = [n for n in frame.notes if "left out as text" in n]
    assert "Change %, Note" in note and "'0.0%'" in note and "Empty" not in note
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(targets=["Volume"]))
    assert not any("left out as text" in n for n in frame.notes)


def histdata(n: int = 40) -> list[str]:
    """histdata.com's generic ASCII M1 bars: no header, ';', compact date and time."""
    times = pd.date_range("2024-01-02", periods=n, freq="min")
    bars = [[1.1 + i / 1e4 + d for d in (0, 5e-4, -5e-4, 0)] for i in range(n)]
    return [f"{t:%Y%m%d %H%M%S};" + ";".join(f"{p:.4f}" for p in bar) + ";0"
            for t, bar in zip(times, bars, strict=True)]


@pytest.mark.parametrize("first", [0, 1])  # repeated values in the first row, or not
def test_histdata_rows_without_a_header_are_told_to_add_one(tmp_path: Path, first: int) -> None:
    lines = histdata()
    lines[0] = lines[0].replace("1.1000;0", "1.1004;0") if first else lines[0]
    path = write_lines(tmp_path, lines)
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 65, result.output
    assert "looks like data, not a header" in result.output
    assert "20240102 000000;1.1000" in result.output and "add a header row" in result.output


def test_histdata_rows_with_a_header_added_read(tmp_path: Path) -> None:
    path = write_lines(tmp_path, ["DateTime;Open;High;Low;Close;Volume", *histdata()])
    frame = load_frame(path, DataSpec(targets=["Close"]))
    (s,) = frame.series
    assert frame.freq == "min" and s.index[1] == pd.Timestamp("2024-01-02 00:01", tz="UTC")
    assert s.values[:2, 0].tolist() == [1.1, 1.1001]


def german_investing(n: int = 40) -> list[str]:
    """investing.com in a German locale: quoted cells, day-first dotted dates, 1.132,83."""
    lines = ['"Datum","Zuletzt","Vol.","+/- %"']
    for i, day in enumerate(DAYS[:n]):
        lines.insert(1, f'"{day:%d.%m.%Y}","1.{100 + i},{i % 10}5","6,83M","-0,13%"')
    return lines


def test_german_investing_numbers_read_as_decimal_commas(tmp_path: Path) -> None:
    path = write_lines(tmp_path, german_investing(), prefix="\ufeff")
    result = runner.invoke(app, ["train", str(path), "--model", str(tmp_path / "m"), *TINY])
    assert result.exit_code == 0, result.output
    frame = load_frame(path, DataSpec())
    (s,) = frame.series
    assert frame.spec.targets == ["Zuletzt"] and frame.spec.time_col == "Datum"
    assert s.index[0] == pd.Timestamp("2024-01-02", tz="UTC")
    assert s.values[:3, 0].tolist() == [1100.05, 1101.15, 1102.25]
    assert any("read 1.139,95 as 1139.95 (a decimal comma" in n for n in frame.notes)


@pytest.mark.parametrize(("cells", "expected"), [
    (["3,227", "1.132,83", "0,5"], [3.227, 1132.83, 0.5]),  # the column tells: decimals
    (["3,25", "-1,5", "7"], [3.25, -1.5, 7]),
])
def test_quoted_decimal_commas_in_a_comma_file(tmp_path: Path, cells: list[str],
                                               expected: list[float]) -> None:
    lines = ["timestamp,value"] + [f'2024-01-0{i + 1},"{c}"' for i, c in enumerate(cells)]
    (s,) = load_frame(write_lines(tmp_path, lines), DataSpec()).series
    assert s.values[:, 0].tolist() == expected


def test_quoted_commas_by_threes_alone_are_still_refused(tmp_path: Path) -> None:
    lines = ["timestamp,value", '2024-01-01,"3,227"', '2024-01-02,"1,500"', "2024-01-03,2"]
    with pytest.raises(DataError, match="may group thousands.*or mark decimals"):
        load_frame(write_lines(tmp_path, lines), DataSpec(targets=["value"]))


def test_one_decimal_comma_among_thousands_leaves_the_column_refused(tmp_path: Path) -> None:
    # A US column of "2,175"-style counts with one slip, "12,5": every count read as
    # 2.175, a thousand times too small, with a note on the slip alone.
    cells = [f"{2 + i % 7},{175 + i:03d}" for i in range(30)] + ["12,5"]
    lines = ["timestamp,visits"] + [f'2024-01-{1 + i % 28:02d} {i // 28:02d}:00,"{c}"'
                                    for i, c in enumerate(cells)]
    with pytest.raises(DataError, match="'2,175' is not a number"):
        load_frame(write_lines(tmp_path, lines), DataSpec(targets=["visits"]))


def test_series_keys_keep_their_commas(tmp_path: Path) -> None:
    # Quoted keys "1,2" and "1,10" read as decimals named the series '1.2' and '1.10',
    # and a bundle trained before had none of them.
    lines = ["date,key,sales"] + [f'2024-01-{d:02d},"{k}",{d + len(k)}' for d in range(1, 29)
                                  for k in ("1,2", "1,10", "2,5")]
    frame = load_frame(write_lines(tmp_path, lines), DataSpec(series_col="key"))
    assert sorted(s.name for s in frame.series) == ["1,10", "1,2", "2,5"]
    assert not any("decimal comma" in n for n in frame.notes)
