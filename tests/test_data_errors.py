"""Bad input for the data layer, through the real ``forecast train`` command.

Every case must end in the documented exit code with exactly one ``Error:`` line
on stderr that says what was found and what to do, no traceback, and no model
directory. The positive behaviours (BOM, time zones, duplicates policies, ...)
live in test_loading.py.
"""

from __future__ import annotations

import builtins
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DUPLICATE_POLICIES, FILL_POLICIES, DataSpec
from forecaster.errors import EXIT_DATA, EXIT_NO_INPUT, EXIT_USAGE, DataError

TINY = ["--no-anomaly", "--epochs", "1", "--folds", "1", "--window", "8", "--segment", "4",
        "--horizon", "2", "--hidden", "4", "--layers", "1"]
MISSING = object()  # write nothing
DIRECTORY = object()  # make a directory where the CSV should be


def hourly(n: int = 60, cols: tuple[str, ...] = ("value",), start: str = "2024-01-01",
           freq: str = "h") -> list[str]:
    """CSV lines (header first) of a smooth series per column."""
    idx = pd.date_range(start, periods=n, freq=freq)
    lines = ["timestamp," + ",".join(cols)]
    for i, t in enumerate(idx):
        vals = ",".join(f"{10 + np.sin(i / 3) + j:.3f}" for j in range(len(cols)))
        lines.append(f"{t:%Y-%m-%d %H:%M:%S},{vals}")
    return lines


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def edit(lines: list[str], row: int, line: str) -> str:
    """Replace file line ``row`` (1-based, the header is row 1)."""
    out = list(lines)
    out[row - 1] = line
    return text(out)


def stamp(row: int) -> str:
    """The timestamp on file line ``row`` of ``BASE``."""
    return BASE[row - 1].split(",")[0]


BASE = hourly()
PARTS = ["year,month,day,hour,value"] + [
    f"{t.year},{t.month},{t.day},{t.hour},{v}"
    for t, v in ((pd.Timestamp(r.split(",")[0]), r.split(",")[1]) for r in BASE[1:])]
SEMI = [line.replace(",", ";") for line in BASE]
WITH_FEATURE = ["timestamp,value,feat"] + [f"{line},{i}" for i, line in enumerate(BASE[1:])]
LONG = (["timestamp,id,value"] + [f"{t},A,{v}" for t, v in (r.split(",") for r in BASE[1:])]
        + [f"{t},B,{v}" for t, v in (r.split(",") for r in BASE[1:4])])
HOURLY_OFF = pd.date_range("2024-01-01", periods=60, freq="h")
IRREGULAR = ["timestamp,value"] + [
    f"{pd.Timestamp('2024-01-01') + pd.Timedelta(minutes=int(m))},{i}"
    for i, m in enumerate(np.cumsum(np.r_[0, np.arange(1, 40)]))]
WIDE_HEADER = ",".join(f"c{k}" for k in range(2000))
WIDE = [f"timestamp,{WIDE_HEADER}"] + [
    f"{line.split(',')[0]}," + ",".join(["1.5"] * 2000) for line in BASE[1:25]]
# Telegraf's CSV output: no header, a tag column between the time and the value.
TAGGED = [f"{pd.Timestamp(t):%Y-%m-%dT%H:%M:%SZ},cpu0,{v}"
          for t, v in (r.split(",") for r in BASE[1:])]
EPOCH_TAGGED = [f"{pd.Timestamp(t).timestamp():.0f},cpu0,{v}"
                for t, v in (r.split(",") for r in BASE[1:])]

DATA, NOINPUT, USAGE = EXIT_DATA, EXIT_NO_INPUT, EXIT_USAGE

# (id, file content, extra CLI arguments, exit code, substrings of the Error line)
CASES = [
    ("missing-file", MISSING, [], NOINPUT, ["data.csv", "no such file", "check the path"]),
    ("directory", DIRECTORY, [], NOINPUT, ["is a directory", "expected a CSV file"]),
    ("empty-file", "", [], DATA, ["file is empty", "header row"]),
    ("blank-lines-only", "  \n\n \n", [], DATA, ["found 1 column", "time column"]),
    ("header-only", "timestamp,value\n", [], DATA,
     ["header but no data rows", "check that the export finished"]),
    ("no-header-row", text(BASE[1:]), [], DATA,
     ["first line (2024-01-01 00:00:00,10.000) looks like data", "add a header row"]),
    ("no-header-row-one-line", text(BASE[1:2]), [], DATA, ["looks like data"]),
    ("no-header-row-with-a-tag", text(TAGGED), [], DATA,
     ["first line (2024-01-01T00:00:00Z,cpu0,10.000) looks like data, not a header: it holds "
      "a date/time and numbers where the rows under it do", "add a header row"]),
    ("no-header-row-unix-seconds-and-a-tag", text(EPOCH_TAGGED), [], DATA,
     ["first line (1704067200,cpu0,10.000) looks like data", "add a header row"]),
    ("binary-junk", bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8)), [],
     DATA, ["not UTF-8", "save it as UTF-8"]),
    ("nul-bytes", b"timestamp,value\n" + b"\x00" * 300 + b"\n", [], DATA,
     ["row 2 holds NUL bytes (\\x00), as a crash or a power cut leaves them", "remove them"]),
    # A crash's NULs before the next line was written: "dates in more than one format".
    ("nul-bytes-after-a-crash", text(BASE).encode() + b"\x00" * 200 + f"{stamp(60)},9.5\n"
     .encode(), [], DATA,
     ["row 62 holds NUL bytes (\\x00), as a crash or a power cut leaves them; expected text: "
      "remove them (tr -d '\\000' < old.csv > new.csv) or delete that row"]),
    ("nul-bytes-ending-the-file", text(BASE).encode() + b"\x00" * 200, [], DATA,
     ["row 62 holds NUL bytes"]),
    ("utf16", text(BASE).encode("utf-16"), [], DATA, ["UTF-16", "save it as UTF-8"]),
    ("utf16le-without-bom", text(BASE).encode("utf-16-le"), [], DATA,
     ["looks like UTF-16 text without a byte-order mark", "expected UTF-8",
      "iconv -f utf-16le -t utf-8"]),
    ("utf16be-without-bom", text(BASE).encode("utf-16-be"), [], DATA,
     ["UTF-16 text without a byte-order mark", "iconv -f utf-16be -t utf-8"]),
    ("utf32le-without-bom", text(BASE).encode("utf-32-le"), [], DATA,
     ["UTF-32 text without a byte-order mark", "iconv -f utf-32le -t utf-8"]),
    ("utf32-with-bom", text(BASE).encode("utf-32"), [], DATA,
     ["UTF-32 text with a byte-order mark", "iconv -f utf-32 -t utf-8"]),
    ("nul-in-value", edit(BASE, 6, f"{stamp(6)},15.\x00672"), [], DATA,
     ["row 6 holds NUL bytes"]),
    ("nul-in-header", text(["timestamp,va\x00lue"] + [f"{stamp(i)},x" for i in range(2, 61)]),
     [], DATA,
     ["the header (line 1) holds NUL bytes"]),
    ("zone-abbreviations", text(["timestamp,value"] + [f"{stamp(i)} CET,1" for i in range(2, 61)]),
     [], DATA, ["cannot parse '2024-01-01 00:00:00 CET' as a timestamp",
                "a zone abbreviation (CET) cannot be read: write the UTC offset instead"]),
    ("latin1", text(["timestamp,température"] + BASE[1:]).encode("latin-1"), [], DATA,
     ["not UTF-8", "save it as UTF-8"]),
    ("gzip-named-csv", gzip.compress(text(BASE).encode()), [], DATA,
     ["a gzip file (compressed)", "decompress it first", "data.unpacked.csv, then give"]),
    ("xlsx-named-csv", b"PK\x03\x04" + bytes(300), [], DATA,
     ["a zip file (an Excel .xlsx?)", "export as CSV"]),
    ("fractional-step-numbers", text(["timestamp,value"] + [f"{i / 2},{i % 7}"
                                                           for i in range(1, 60)]), [],
     DATA, ["column 'timestamp' holds plain numbers (0.5, ...)", "step numbers (whole numbers"]),
    ("empty-time-cell", text(["Date;Time;v"] + [f"17/12/2006;{h:02d}:00:00;{h}" for h in range(9)]
                             + ["17/12/2006;;9"]
                             + [f"17/12/2006;{h:02d}:00:00;{h}" for h in range(10, 24)]),
     [], DATA, ["row 11", "empty 'Date' or 'Time'", "fill them in or drop those rows"]),
    ("impossible-compact-date", text(["date,v"] + [f"202402{d:02d},{d}" for d in range(1, 31)]),
     [], DATA, ["row 31", "cannot parse '20240230'"]),
    ("split-date-not-a-number", edit(PARTS, 9, "2024,1,x,7,10.5"), [], DATA,
     ["row 9", "column 'day'", "'x'", "not a whole number"]),
    ("split-date-impossible", edit(PARTS, 5, "2024,13,1,3,10.5"), [], DATA,
     ["row 5", "cannot parse '2024-13-1-3'", "ISO 8601"]),
    ("split-date-negative-year", edit(PARTS, 2, "-5,1,1,0,10.5"), [], DATA,
     ["row 2", "column 'year'", "'-5' reads as -5-01-01", "before the year 1000"]),
    ("split-date-out-of-order", text(PARTS), ["--time-col", "month,year"], DATA,
     ["cannot build timestamps from month, year", "year, month, day"]),
    ("unclosed-quote", edit(BASE, 30, f'"{stamp(30)},1'), [], DATA,
     [f"line 30 opens a quoted field that runs to line {len(BASE)}",
      'expected each " to be closed on its line']),
    ("time-col-clock-beside-date", text(["Date;Time;power"] + [
        f"16/12/2006;{h:02d}:{m:02d}:00;{h + m / 60:.3f}" for h in range(10) for m in range(5)]),
     ["--time-col", "Time"], DATA,
     ["--time-col Time holds times of day, and the dates are in column 'Date'",
      "give --time-col Date,Time"]),
    # The error blamed the real time column's dates as values that are no numbers.
    ("time-col-names-the-values", text(BASE), ["--time-col", "value"], DATA,
     ["--time-col value: column 'value' holds numbers (", "the times are in column "
      "'timestamp'", "give --time-col timestamp, or leave it out"]),
    ("ragged-row", edit(BASE, 30, f"{stamp(30)},1,2,3"), [], DATA,
     ["line 30 has 4 fields, the header has 2", "expected one field per header column",
      "fix that line, or add the new column's name to the header"]),
    ("bad-timestamp-word", edit(BASE, 11, "yesterday,1.0"), [], DATA,
     ["row 11", "column 'timestamp'", "'yesterday'", "ISO 8601"]),
    ("bad-timestamp-date", edit(BASE, 17, "2024-13-45 99:00:00,1.0"), [], DATA,
     ["row 17", "'2024-13-45 99:00:00'", "ISO 8601"]),
    ("empty-timestamp", edit(BASE, 5, ",1.0"), [], DATA, ["row 5", "timestamp"]),
    ("text-only", text(["note"] + ["ok", "late"] * 25), [], DATA,
     ["found 1 column", "add a column of timestamps", "a column 'step' numbering the rows"]),
    ("values-only-no-header", text([f"{i % 7 / 7:.3f}" for i in range(50)]), [], DATA,
     ["found 1 column and no header (the first line, '0.000', is a value)",
      "add a first line with its name (e.g. 'value'), and the rows are read as steps"]),
    ("pandas-series-header-0", text(["0"] + [str(10 * i) for i in range(1, 50)]), [], DATA,
     ["the first line, '0', is a value",  # Series.to_csv(index=False) writes its header so
      "(if it is the '0' pandas writes for an unnamed column, replace it)"]),
    ("wide-dates-in-header", text(
        ["Province/State,Country/Region,Lat,Long," + ",".join(
            f"1/{d}/20" for d in range(1, 31))]
        + [f",{c},1.0,2.0," + ",".join(str(3 * d) for d in range(30)) for c in "ABC"]), [],
     DATA, ["no time column found, and 30 header cells are dates (1/1/20 to 1/30/20)",
            "the time runs across the columns, one row per series",
            "expected one row per time step", "each series is a column"]),
    ("wide-numbered-columns", text(
        ['"V1",' + ",".join(f'"V{i}"' for i in range(2, 41))]
        + [f'"H{k}",' + ",".join(str(k + i) for i in range(39)) for k in range(1, 6)]), [],
     DATA, ["40 header cells number the columns (V1 to V40)", "the time runs across"]),
    ("wide-numbered-days-after-ids", text(  # Kaggle M5: id columns, then d_1 .. d_N
        ["id,item_id,store_id," + ",".join(f"d_{i}" for i in range(1, 41))]
        + [f"FOODS_{k}_00{k}_CA_1_validation,FOODS_{k},CA_1," + ",".join(
            str((k * i) % 5) for i in range(40)) for k in range(1, 6)]), [],
     DATA, ["40 header cells number the columns (d_1 to d_40)", "the time runs across"]),
    ("numbered-readings-read-as-dates-by-pandas", text(  # SMD with a header m0 .. m37
        [",".join(f"m{i}" for i in range(38))]
        + [",".join(str((i * j) % 7 / 7) for j in range(38)) for i in range(30)]), [], DATA,
     ["several numeric columns (m0, m1", "choose the one(s) to forecast with --target"]),
    ("headerless-first-row-0-1", text(  # not pandas' names: those are three or more
        [f"{i % 2},{(i * 3 + 1) % 7}" for i in range(60)]), [], DATA,
     ["the first line (0,1", "looks like data, not a header"]),
    ("numbered-sensors-no-time", text(  # read as steps; then which to forecast?
        [",".join(f"s{i}" for i in range(1, 21))]
        + [",".join(str((i * j) % 7) for j in range(20)) for i in range(30)]), [], DATA,
     ["several numeric columns (s1, s2", "--target"]),
    ("a-rising-column-beside-readings", text(  # times in a form not known, or row numbers
        ["t,y"] + [f"{0.5 * i},{(i * 3) % 7}" for i in range(50)]), [], DATA,
     ["no time column found among t, y", "--time-col"]),
    ("numbered-sensors-beside-week-labels", text(
        ["period," + ",".join(f"s{i}" for i in range(1, 13))]
        + [f"Week {i + 1}," + ",".join(str((i * j) % 7) for j in range(12)) for i in range(30)]),
     [], DATA, ["no time column found among period, s1, s2", "--time-col"]),
    ("step-number-time", text(["t,y"] + [f"{i},{i % 7}" for i in range(50)]), [], DATA,
     ["no time column found among t, y", "--time-col", "step numbers"]),
    ("day-month-without-year", text(["Day,Sales"] + [f"{1 + i % 9}-{i // 9 + 1:02d},{100 + i}"
                                                      for i in range(36)]), [], DATA,
     ["row 2", "'1-01'", "0001-01-01", "write the year out in full"]),
    ("epoch-seconds-and-milliseconds", text(
        ["timestamp,value"] + [f"{(1700000000 + 3600 * i) * (1000 if i > 20 else 1)},{i}"
                               for i in range(40)]), [], DATA,
     ["holds Unix epoch times in two units: seconds (1700000000, row 2) and milliseconds "
      "(1700075600000, row 23)", "expected one unit in a column"]),
    ("duplicate-timestamp", edit(BASE, 6, f"{stamp(5)},99"), [], DATA,
     ["duplicate timestamp", f"{stamp(5)} (rows 5 and 6 of time column 'timestamp';",
      "--duplicates first|last|mean", "several series, name their column with --series-col",
      "at training"]),
    ("duplicate-in-one-of-two-series", text(
        ["time,store,value", "2024-01-01 00:00,A,1", "2024-01-01 00:00,B,2",
         "2024-01-01 00:00,A,3"] + [f"2024-01-01 {h:02d}:00,{k},{h}" for h in range(1, 24)
                                     for k in "AB"]), ["--series-col", "store"], DATA,
     ["duplicate timestamp 2024-01-01 00:00 in series 'A' (rows 2 and 4 of time column "
      "'time';"]),
    ("series-names-differing-in-spaces", text(  # read stripped: ' sp' and 'sp' are one name
        ["time,name,value"] + [f"2024-01-01 {h:02d}:00,{k},{h}" for h in range(24)
                               for k in ("sp", " sp")]), ["--series-col", "name"], DATA,
     ["duplicate timestamp 2024-01-01 00:00 in series 'sp' (rows 2 and 3",
      "'sp' and ' sp' in column 'name'", "rename one in the file"]),
    ("a-row-with-its-columns-swapped", text(  # told it was a time without an offset
        ["timestamp,value"] + [f"2024-01-01T{h:02d}:00Z,{h}" for h in range(24)]
        + ["22.195,2024-01-02T00:00Z"]), [], DATA,
     ["row 26, column 'timestamp': '22.195' cannot be read as a time"]),
    ("duplicate-written-with-an-offset", text(
        ["timestamp,value"] + [f"2024-01-01T{h:02d}:00+02:00,{h}" for h in range(24)]
        + ["2024-01-01T00:00+02:00,9"]), [], DATA,
     ["duplicate timestamp 2024-01-01T00:00+02:00 (rows 2 and 26 of time column"]),
    ("clock-change-repeats-an-hour", text(
        ["timestamp,value"] + [f"2025-10-26 {h:02d}:{m:02d},{h}" for h in range(3)
                               for m in (0, 30)] + ["2025-10-26 02:00,9", "2025-10-26 02:30,9"]
        + [f"2025-10-26 {h:02d}:{m:02d},{h}" for h in range(3, 24) for m in (0, 30)]), [],
     DATA, ["duplicate timestamp 2025-10-26 02:00 (rows 6 and 8 of",
            "repeated when daylight saving time ended", "UTC offset (e.g. +02:00, then +01:00)"]),
    ("dates-beside-an-hour-column", text(
        ["instant,dteday,season,hr,cnt"] + [f"{24 * d + h + 1},2011-01-{d + 1:02d},1,{h},{h + d}"
                                           for d in range(3) for h in range(24)]),
     ["--target", "cnt"], DATA,
     ["duplicate timestamp 2011-01-01 (rows 2 and 3", "if 'hr' holds each date's hour, give "
      "--time-col dteday,hr"]),
    ("series-keyed-by-a-column-left-out", text(
        ["date,store,item,sales"] + [f"2024-01-{d + 1:02d},{s},{i},{d + i}" for d in range(20)
                                     for s in (1, 2) for i in (1, 2)]),
     ["--series-col", "store", "--target", "sales"], DATA,
     ["rows of series '1' at 2024-01-01 differ in column 'item': add it to the key, "
      "--series-col store,item"]),
    ("row-ids-are-no-key", text(
        ["id,date,store_nbr,family,sales"] + [f"{n},2024-01-{n // 4 + 1:02d},{n // 2 % 2},{f},{n}"
                                              for n in range(80) for f in ["AB"[n % 2]]]),
     ["--series-col", "store_nbr", "--target", "sales"], DATA,
     ["rows of series '0' at 2024-01-01 differ in column 'family'",
      "--series-col store_nbr,family"]),
    ("stacked-stores-without-series-col", text(
        ["Store,Date,Weekly_Sales"] + [f"{s},2024-01-{d + 1:02d},{d * s}" for s in (1, 2, 3)
                                       for d in range(20)]), ["--target", "Weekly_Sales"], DATA,
     ["rows at 2024-01-01 differ in column 'Store': if it names the series, give "
      "--series-col Store"]),
    ("stacked-keys-are-no-target-candidates", text(
        ["id,Store,Dept,Date,Weekly_Sales"] + [
            f"{n},{n // 2 % 2},{n % 2},2024-01-{n // 4 + 1:02d},{n * 1.5}" for n in range(80)]),
     [], DATA, ["rows at 2024-01-01 differ in 'Store' and 'Dept'", "--series-col Store,Dept;",
                "among Weekly_Sales with --target"]),
    ("key-advice-quotes-a-name-with-a-space", text(  # Walmart features' "Store Type"
        ["Store Type,Date,Weekly_Sales"] + [f"{s},2024-01-{d + 1:02d},{d * s}" for s in (1, 2)
                                            for d in range(20)]), ["--target", "Weekly_Sales"],
     DATA, ["give --series-col 'Store Type';"]),
    ("two-series-columns-joining-into-one-name", text(
        ["date,store,item,sales"] + [f"2024-01-{d + 1:02d},{s},{i},{d}" for d in range(20)
                                     for s, i in (("a/b", "c"), ("a", "b/c"))]),
     ["--series-col", "store,item"], DATA,
     ["series keys ('a/b', 'c') and ('a', 'b/c') of columns store, item both join into the "
      "name 'a/b/c'", "replace '/' in those cells"]),
    ("empty-series-col", text(BASE), ["--series-col", ""], USAGE,
     ["--series-col is empty", "leave --series-col out"]),
    ("clock-changes-of-two-years", text(
        ["Datetime,PJME_MW"] + [f"{d} {h:02d}:00:00,{i}" for d in ("2022-11-06", "2023-11-05")
                                for i, h in enumerate((0, 1, 1, 2, 3))]), [], DATA,
     ["duplicate timestamp 2022-11-06 01:00:00 (rows 3 and 4", "2 timestamp(s) repeat, in 4 rows",
      "repeated when daylight saving time ended"]),
    ("text-in-target", edit(BASE, 8, f"{stamp(8)},abc"), [], DATA,
     ["row 8", "column 'value'", "'abc' is not a number", "fix or blank those cells, or read "
      "them as missing with --na-values abc"]),
    ("elapsed-seconds", text(["time,value"] + [f"{i * 0.004:.3f},{i % 7}" for i in range(60)]),
     [], DATA, ["column 'time' holds plain numbers (0.000, ...)", "they rise by a fixed 0.004: "
                "to read the rows as steps 0, 1, 2, ..., delete column 'time' from the file"]),
    ("headerless-tabs", text([f"{i * 0.004:.3f}\t{i % 7}\t{i % 5}" for i in range(60)]), [],
     DATA, ["looks like data, not a header", "add a header row naming the columns (e.g. "
            "timestamp\\tvalue1\\tvalue2, separated by tabs as the rows are)"]),
    ("row-counter-beside-values", text(["No,timestamp,pm25,TEMP"] + [
        f"{i + 1},{pd.Timestamp('2024-01-01') + pd.Timedelta(hours=i)},{i % 9},{i % 4}"
        for i in range(60)]), [], DATA,
     ["several numeric columns (pm25, TEMP; left out No: row numbers); choose"]),
    ("flagged-readings", text([f"{stamp(r)},?0.{r % 2 + 1}" if r in (8, 9, 20) else line
                               for r, line in enumerate(BASE, 1)]), [], DATA,
     ["row 8", "'?0.1' is not a number; expected numeric values (3 bad in all); fix or "
      "blank those cells, or read them as missing with --na-values '?0.1,?0.2'"]),
    ("text-feature", text(["timestamp,value,wind"] + [
        f"{pd.Timestamp('2024-01-01') + pd.Timedelta(hours=i)},{i},{'NE' if i % 2 else 'cv'}"
        for i in range(60)]), ["--features", "wind"], DATA,
     ["row 2", "column 'wind'", "'cv' is not a number", "drop it from --features, or encode"]),
    ("text-target", text(["timestamp,wind"] + [
        f"{pd.Timestamp('2024-01-01') + pd.Timedelta(hours=i)},{'NE' if i % 2 else 'cv'}"
        for i in range(60)]), ["--target", "wind"], DATA,
     ["row 2", "column 'wind'", "'cv' is not a number", "forecast a column of numbers"]),
    ("thousands-separator", edit(BASE, 9, f'{stamp(9)},"1,234"'), [], DATA,
     ["row 9", "'1,234' is not a number"]),
    ("inf", edit(BASE, 8, f"{stamp(8)},inf"), [], DATA,
     ["row 8", "column 'value'", "infinite or too large"]),
    ("minus-infinity", edit(BASE, 12, f"{stamp(12)},-Infinity"), [], DATA,
     ["row 12", "infinite or too large"]),
    ("1e308", edit(BASE, 40, f"{stamp(40)},1e308"), [], DATA,
     ["row 40", "'1e308'", "infinite or too large", "--fill"]),
    ("long-timestamp-cell", edit(BASE, 6, f"{stamp(6)}{'x' * 200_000},1.0"), [], DATA,
     ["row 6", f"cannot parse '{stamp(6)}{'x' * 21}...' as a timestamp"]),
    ("long-infinite-value", edit(BASE, 6, f"{stamp(6)},1.{'0' * 200_000}e400"), [], DATA,
     ["row 6", f"value '1.{'0' * 38}...' is infinite or too large"]),
    ("long-text-value", edit(BASE, 6, f"{stamp(6)},{'x' * 200_000}"), [], DATA,
     ["row 6", f"'{'x' * 40}...' is not a number"]),
    ("long-split-date-part", edit(PARTS, 9, f"2024,1,{'x' * 200_000},7,10.5"), [], DATA,
     ["row 9", f"'{'x' * 40}...' is not a whole number"]),
    ("long-cell-in-another-date-format", edit(BASE, 30, f"01/02/2024 {'1' * 200_000},1.0"),
     [], DATA, ["more than one format", f"'01/02/2024 {'1' * 29}...' (row 30)"]),
    ("repeated-header", text(BASE[:31] + BASE[:1] + BASE[31:]), [], DATA,
     ["line 32 repeats the header (files joined together?)", "expected one header line",
      "remove that line"]),
    ("repeated-header-after-comments", text(
        ["# logger v2"] + SEMI[:21] + [" timestamp ; value"] + SEMI[21:41] + SEMI[:1]
        + SEMI[41:]), [], DATA,
     ["2 lines repeat the header, the first line 23", "remove those lines"]),
    # A note written with a line break (a quoted cell over two lines, line 6): the bad
    # value on line 20 was named row 19, the line above it.
    ("quoted-cell-over-two-lines", text(
        ["timestamp,value,note"] + [f"{r},ok" for r in BASE[1:4]] + [f'{BASE[4]},"a', 'b"']
        + [f"{r},ok" for r in BASE[5:18]] + [f"{stamp(19)},abc,ok"]
        + [f"{r},ok" for r in BASE[19:]]), [], DATA, ["row 20, column 'value': 'abc'"]),
    # A note above the header, wider than the table: read as the header, it had the user
    # remove the real one ("line 2 has 2 fields, the header has 4: fix or remove that line").
    ("note-line-above-the-header", text(["Station,Berlin-Tempelhof,Exported,2024-01-05"]
                                        + BASE), [], DATA,
     ["line 1, read as the header, has 4 fields, and the lines below it 2; expected the "
      "header first, as wide as the rows: if that line is a title or a note above the "
      "header, remove it"]),
    # A spreadsheet's empty row above the header, padded with separators: it was
    # "repeated column name(s) in the header: ''; rename them".
    ("separators-alone-above-the-header", text([","] + BASE), [], DATA,
     ["line 1, read as the header, names no column (separators alone)", "if it is an empty "
      "row above the header, remove it"]),
    # Two Excel exports joined: the second header starts with its byte-order mark, and was
    # "'\ufefftimestamp' cannot be read as a time, unlike the other rows".
    ("repeated-header-with-a-byte-order-mark", text(BASE[:31] + ["\ufeff" + BASE[0]]
                                                    + BASE[31:]), [], DATA,
     ["line 32 repeats the header (files joined together?)", "remove that line"]),
    # A second export writing the columns in another order: its names were "not a number",
    # the advice to fix the values; removing the line alone would leave the rows swapped.
    ("repeated-header-in-another-order", text(
        BASE[:31] + ["value,timestamp"] + [",".join(r.split(",")[::-1]) for r in BASE[31:]]),
     [], DATA, ["line 32 repeats the header with its columns in another order (value, "
                "timestamp; files joined together?)", "write the rows below that line in the "
                "first header's order, and remove it"]),
    ("nan-with-fill-error", edit(BASE, 7, f"{stamp(7)},"), ["--fill", "error"], DATA,
     ["1 step(s) lack a value (an empty cell or a gap in the times), the first at "
      f"{pd.Timestamp(stamp(7), tz='UTC').isoformat()} in column 'value'", "--fill"]),
    ("gap-with-fill-error", text(BASE[:20] + BASE[25:]), ["--fill", "error"], DATA,
     ["5 step(s) lack a value", "--fill error expects every value: fill them in, or choose "
      "--fill interpolate, ffill or zero"]),
    ("all-empty-target", text(["timestamp,value"] + [f"{t}," for t in HOURLY_OFF]),
     ["--target", "value"], DATA, ["column 'value' has no values"]),
    ("too-few-rows", text(BASE[:20]), [], DATA,
     ["19 rows", "need at least 20", "--window 8", "shorter --window/--horizon"]),
    ("too-few-for-folds", text(BASE[:26]), ["--folds", "3"], DATA,
     ["25 time steps", "3 folds", "fewer --folds"]),
    # At the smallest shape only fewer folds (or more rows) can help: it said "use a
    # shorter --window/--horizon" to --window 2 --horizon 1 as well.
    ("too-few-for-folds-at-the-smallest-shape", text(BASE[:13]),
     ["--window", "2", "--segment", "1", "--horizon", "1", "--folds", "3"], DATA,
     ["12 time steps", "use fewer --folds (--folds 0 trains without validation) or more "
      "data"]),
    ("too-few-rows-names-the-smallest-shape", text(BASE[:13]), [], DATA,
     ["12 rows", "--window 2 --horizon 1 needs 12) or more data"]),
    ("single-row", text(BASE[:2]), [], DATA, ["only 1 timestamp", "--freq"]),
    ("single-row-with-freq", text(BASE[:2]), ["--freq", "h"], DATA,
     ["1 row per series", "use more data (--window 2 --horizon 1 needs 12)"]),
    ("two-rows", text(BASE[:3]), [], DATA, ["only 2 timestamp", "need at least 3"]),
    ("missing-target", text(BASE), ["--target", "nope"], DATA,
     ["no column 'nope'", "timestamp, value"]),
    ("missing-time-col", text(BASE), ["--time-col", "when"], DATA,
     ["no column 'when'", "timestamp, value"]),
    ("missing-feature", text(BASE), ["--features", "temp"], DATA,
     ["no column 'temp'", "check the name (case counts), or rename the file's column"]),
    ("missing-comma-name", text(BASE), ["--target", "price, USD"], DATA,
     ["no column 'price, USD'"]),
    ("missing-one-of-two", text(BASE), ["--target", "value,nope"], DATA, ["no column 'nope'"]),
    ("missing-series-col", text(BASE), ["--series-col", "store"], DATA, ["no column 'store'"]),
    ("several-numeric", text(hourly(cols=("a", "b", "c"))), [], DATA,
     ["several numeric columns (a, b, c)", "--target"]),
    ("wide-no-target", text(WIDE), [], DATA,
     ["several numeric columns (c0, c1", "and 1988 more", "--target"]),
    ("no-numeric", text(["timestamp,name"] + [f"{t},x{i}" for i, t in enumerate(HOURLY_OFF)]),
     [], DATA, ["no numeric column to forecast among name",
                "(row 2, column 'name': 'x0' is not a number)", "--target"]),
    ("percent-values", text(["timestamp,value"] + [f"{r}%" for r in BASE[1:]]), [], DATA,
     ["among value (row 2, column 'value': '10.000%' is not a number)", "plain numbers"]),
    # A currency sign ($1) is read; a currency's code is not.
    ("currency-values", text(["timestamp,value"] + [f"{r.split(',')[0]},1 USD"
                                                    for r in BASE[1:]]),
     [], DATA, ["(row 2, column 'value': '1 USD' is not a number)"]),
    ("all-na-words", text(["timestamp,value"] + [f"{t},NA" for t in HOURLY_OFF]), [], DATA,
     ["among value (column 'value' has no values", "empty or a missing-value word"]),
    ("no-time-col", text(["a,b"] + [f"{i},{i * 2}" for i in range(40)]), [], DATA,
     ["no time column", "a, b", "--time-col"]),
    ("target-is-feature", text(WITH_FEATURE), ["--target", "value", "--features", "value"],
     DATA, ["column 'value' is both a target and a feature", "one role"]),
    ("target-named-twice", text(BASE), ["--target", "value,value"], DATA,
     ["column 'value' is named more than once in --target", "name each column once"]),
    ("feature-named-twice", text(WITH_FEATURE), ["--features", "feat", "--features", "feat"],
     DATA, ["column 'feat' is named more than once in --features"]),
    ("target-is-time-column", text(BASE), ["--target", "timestamp"], DATA,
     ["column 'timestamp' is both the time column and a target", "--time-col"]),
    ("series-col-is-time-column", text(LONG), ["--series-col", "timestamp"], DATA,
     ["column 'timestamp' is both the time column and the series column"]),
    ("feature-with-text", text(["timestamp,value,feat"] + [f"{line},hello"
                                                          for line in BASE[1:]]),
     ["--target", "value", "--features", "feat"], DATA,
     ["row 2", "column 'feat'", "'hello' is not a number"]),
    ("repeated-column-names", text(["timestamp,value,value"]
                                   + [f"{line},1" for line in BASE[1:]]),
     [], DATA, ["repeated column name", "'value'", "rename"]),
    ("off-grid-timestamp", edit(BASE, 11, "2024-01-01 09:17:00,1.0"), [], DATA,
     ["1 timestamps are off the 'h' grid", "first 2024-01-01T09:17:00+00:00", "--freq"]),
    ("irregular", text(IRREGULAR), [], DATA, ["too irregular", "--freq"]),
    ("freq-too-coarse", text(BASE), ["--freq", "D"], DATA, ["off the 'D' grid", "--freq"]),
    ("freq-too-fine", text(BASE), ["--freq", "15min"], DATA,
     ["steps on the '15min' grid", "frequency too fine", "--freq"]),
    ("long-empty-series-name", text([LONG[0]] + LONG[1:10] + [f"{stamp(11)},,1.0"]
                                    + LONG[11:]), ["--series-col", "id"], DATA,
     ["row 11", "column 'id'", "empty series name"]),
    ("unknown-freq", text(BASE), ["--freq", "zz"], USAGE, ["--freq zz", "h, 15min, D"]),
    ("non-positive-freq", text(BASE), ["--freq", "-1h"], USAGE, ["--freq -1h"]),
    ("unknown-fill", text(BASE), ["--fill", "mean"], USAGE,
     ["--fill mean", "interpolate, ffill, zero, error"]),
    ("unknown-duplicates", text(BASE), ["--duplicates", "drop"], USAGE,
     ["--duplicates drop", "error, first, last, mean"]),
    ("unknown-cell", text(BASE), ["--cell", "rnn"], USAGE, ["--cell rnn", "gru, lstm"]),
    ("unknown-anomaly-combine", text(BASE), ["--anomaly-combine", "max"], USAGE,
     ["--anomaly-combine max", "median, mean, last"]),
    ("unknown-anomaly-norm", text(BASE), ["--anomaly-norm", "zscore"], USAGE,
     ["--anomaly-norm zscore", "none, revin"]),
    ("window-not-multiple-of-segment", text(BASE), ["--window", "9", "--segment", "4"],
     USAGE, ["--window 9", "--segment 4", "divides the window"]),
]

runner = CliRunner()


def invoke_train(tmp_path: Path, content: object, extra: list[str], model: Path | None = None):
    """Write ``content`` to data.csv and run ``forecast train`` on it (into ``model``)."""
    src = tmp_path / "data.csv"
    if content is DIRECTORY:
        src.mkdir()
    elif isinstance(content, bytes):
        src.write_bytes(content)
    elif isinstance(content, str):
        src.write_text(content, encoding="utf-8")
    model = model or tmp_path / "model"
    result = runner.invoke(app, ["train", str(src), "--model", str(model), *TINY, *extra])
    return result, model


def assert_one_error(result, model: Path, code: int, needles: list[str]) -> str:
    """The common contract of every bad-input case; returns the Error line."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code == code, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1] == errors[0]
    assert len(errors[0]) < 600, errors[0]
    assert errors[0].isprintable(), errors[0]  # a file's NUL is escaped, not written raw
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    assert result.stdout == ""
    assert not model.exists(), "a model directory was created"
    return errors[0]


@pytest.mark.parametrize(("content", "extra", "code", "needles"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_input_gives_one_error_line(tmp_path: Path, content, extra, code, needles) -> None:
    result, model = invoke_train(tmp_path, content, extra)
    assert_one_error(result, model, code, needles)


def test_case_count() -> None:
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


def test_typer_usage_error_is_exit_2_without_traceback(tmp_path: Path) -> None:
    # Out-of-range values are rejected by the option parser itself, before any data is read.
    result, model = invoke_train(tmp_path, text(BASE), ["--window", "1"])
    assert result.exit_code == EXIT_USAGE
    assert "Traceback" not in result.output
    assert "--window" in result.stderr
    assert not model.exists()


@pytest.mark.parametrize(("content", "spec", "needles"), [
    pytest.param(edit(BASE, 11, "yesterday,1.0"), DataSpec(), ["row 11", "'yesterday'"],
                 id="timestamp"),
    pytest.param(edit(BASE, 8, f"{stamp(8)},abc"), DataSpec(), ["row 8", "column 'value'"],
                 id="number"),
    pytest.param(text(LONG[:-2] + LONG[-1:]), DataSpec(series_col="id", fill="error"),
                 ["step(s) of series", "lack a value", "--fill"], id="gap-in-second-series"),
])
def test_load_frame_raises_data_error(tmp_path: Path, content: str, spec: DataSpec,
                                      needles: list[str]) -> None:
    src = tmp_path / "data.csv"
    src.write_text(content)
    with pytest.raises(DataError) as info:
        load_frame(src, spec)
    for needle in needles:
        assert needle in str(info.value)


def test_repeated_header_is_named_by_either_parser(tmp_path: Path, engine: str) -> None:
    src = tmp_path / "data.csv"
    src.write_text(text(BASE[:31] + BASE[:1] + BASE[31:]))
    with pytest.raises(DataError, match="line 32 repeats the header"):
        load_frame(src, DataSpec())


# --- property: any small messy frame loads cleanly or fails with DataError -------------------

@st.composite
def messy_frames(draw) -> tuple[str, DataSpec]:
    n_series = draw(st.integers(1, 2))
    n_cols = draw(st.integers(1, 2))
    rows = []
    for s in range(n_series):
        n = draw(st.integers(1, 30))
        keep = draw(st.lists(st.booleans(), min_size=n, max_size=n))  # False: a gap
        for i in range(n):
            if not keep[i] and i not in (0, n - 1):
                continue
            t = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i)
            cells = [draw(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False),
                                    st.sampled_from(["NaN", "", "x", "inf"])))
                     if draw(st.integers(0, 9)) == 0 else float(i + s + c)
                     for c in range(n_cols)]
            rows.append([str(t), f"s{s}", *["" if v is None else str(v) for v in cells]])
    if draw(st.booleans()) and rows:  # a repeated timestamp
        rows.append(list(draw(st.sampled_from(rows))))
    order = draw(st.permutations(range(len(rows))))
    long = n_series > 1 or draw(st.booleans())
    header = ["timestamp", "id", *[f"v{c}" for c in range(n_cols)]]
    lines = [rows[i] if long else [rows[i][0], *rows[i][2:]] for i in order]
    if not long:
        header.remove("id")
    spec = DataSpec(series_col="id" if long else None,
                    targets=[f"v{c}" for c in range(n_cols)] if draw(st.booleans()) else [],
                    fill=draw(st.sampled_from(FILL_POLICIES)),
                    duplicates=draw(st.sampled_from(DUPLICATE_POLICIES)),
                    freq=draw(st.sampled_from([None, "h"])))
    return "\n".join(",".join(line) for line in [header, *lines]) + "\n", spec


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=messy_frames())
def test_load_frame_is_clean_or_data_error(tmp_path: Path, case) -> None:
    content, spec = case
    src = tmp_path / "messy.csv"
    src.write_text(content)
    try:
        frame = load_frame(src, spec)
    except DataError:
        return
    for s in frame.series:
        assert len(s.index) >= 1
        assert s.index.tz is not None and str(s.index.tz) == "UTC"
        steps = np.diff(s.index.asi8)
        assert (steps > 0).all()
        assert len(set(steps.tolist())) <= 1, "the index is not regular"
        assert s.values.shape == (len(s.index), len(frame.columns))
        assert s.observed.shape == s.values.shape
        assert np.isfinite(s.values).all()


@pytest.fixture(scope="module")
def existing_bundle(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A bundle trained on good data, and a snapshot of every file in it."""
    root = tmp_path_factory.mktemp("existing")
    src = root / "good.csv"
    src.write_text(text(BASE), encoding="utf-8")
    model = root / "model"
    result = runner.invoke(app, ["train", str(src), "--model", str(model), *TINY])
    assert result.exit_code == 0, result.output
    return model, _snapshot(model)


def _snapshot(model: Path) -> dict[str, bytes]:
    return {str(p.relative_to(model)): p.read_bytes() for p in sorted(model.rglob("*"))
            if p.is_file() and p.name != ".lock"}


@pytest.mark.parametrize(("content", "extra", "code", "needles"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_input_leaves_existing_bundle_unchanged(tmp_path: Path, existing_bundle, content,
                                                    extra, code, needles) -> None:
    model, before = existing_bundle
    result, _ = invoke_train(tmp_path, content, extra, model)
    assert result.exit_code == code, result.output
    assert _snapshot(model) == before


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"),
                                   IsADirectoryError(21, "Is a directory")])
def test_unreadable_recorded_csv_is_a_missing_input(existing_bundle, monkeypatch,
                                                    error: OSError) -> None:
    # As root, chmod 000 does not stop a read: fail the opens of the recorded CSV instead.
    model, _ = existing_bundle
    src = model.parent / "good.csv"
    real_open = builtins.open

    def refuse(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and Path(file) == src:
            raise error
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    result = runner.invoke(app, ["predict", "--model", str(model)])
    assert result.exit_code == EXIT_NO_INPUT, result.output
    assert "Traceback" not in result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error: ")]
    assert f"{src}: cannot read the file ({error.strerror})" in line
    assert "check its permissions" in line


def test_warnings_escape_what_the_file_wrote_too(capsys) -> None:
    # Error lines were escaped; a warning naming a series with a NUL in its name still
    # wrote the raw byte into the log.
    from forecaster.report import Reporter

    Reporter().warn("series 'pump\x00 1' was not in the training data")
    err = capsys.readouterr().err
    assert "\x00" not in err and "series 'pump\\x00 1'" in err


def test_a_loop_of_links_is_a_missing_file_for_every_command(tmp_path: Path) -> None:
    # train resolved the path first: "internal error (RuntimeError: Symlink loop ...)".
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    for args in (["train", str(tmp_path / "a.csv"), "--model", str(tmp_path / "m")],
                 ["backtest", str(tmp_path / "a.csv")]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == EXIT_NO_INPUT, result.output
        assert result.stderr.startswith(f"Error: {tmp_path / 'a.csv'}: no such file (a symbolic "
                                        "link to a missing file, or a loop of links)")
    assert not (tmp_path / "m").exists()


def test_an_unreadable_data_file_is_our_error_not_the_option_parsers(tmp_path: Path,
                                                                     monkeypatch) -> None:
    # typer checked readability first: "Invalid value for 'data': path ... is not
    # readable", exit 2, with nothing on what to do. As root, chmod 000 stops no read:
    # refuse the access check and the opens instead.
    import os

    src = tmp_path / "noperm.csv"
    src.write_text("timestamp,value\n")
    real_access, real_open = os.access, builtins.open
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: (
        False if Path(p) == src else real_access(p, mode, *a, **k)))

    def refuse(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and Path(file) == src:
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    for args in (["train", str(src), "--model", str(tmp_path / "m")], ["backtest", str(src)]):
        result = runner.invoke(app, args)
        assert result.exit_code == EXIT_NO_INPUT, result.output
        assert f"{src}: cannot read the file (Permission denied)" in result.stderr


def test_a_half_empty_grid_advises_a_step_coarser_than_its_own() -> None:
    # Rows 2 and 3 hours apart on an hourly grid: the advice was "--resample h", the grid's
    # own step, which fills nothing; then "--resample D", where bins of 2 hours fit.
    from forecaster.data.grid_checks import check_density

    times = pd.DatetimeIndex(pd.Timestamp("2024-01-01")
                             + pd.to_timedelta(np.cumsum([0] + [2, 3] * 30), unit="h"))
    grid = pd.date_range(times[0], times[-1], freq="h")
    with pytest.raises(DataError, match=r"coarser step with --resample \(e\.g\. --resample 2h\)"):
        check_density(times, grid, "h", Path("x.csv"), "")


def test_a_field_over_the_csv_modules_limit_is_named_by_its_line(tmp_path: Path) -> None:
    # Where pandas' engine fails on such a row, the line check gave up and the message
    # named no line.
    from forecaster.data.csvlines import Span, width_error

    path = tmp_path / "long.csv"
    path.write_text(edit(BASE, 30, f"{stamp(30)},{'x' * 200_000}"), encoding="utf-8")
    error = width_error(path, ",", 2, Span())
    assert error is not None and str(error) == (
        f"{path}: line 30: field larger than field limit (131072); expected short fields: "
        "fix or remove that line")
