"""Series named by several columns (``--series-col store,item``), through the real CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from typer.testing import CliRunner

from forecaster.bundle import load_bundle
from forecaster.cli import app
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec

runner = CliRunner()
NAMES = {"1/1", "1/2", "2/1", "2/2"}
ANOMALY = ["--anomaly", "--anomaly-window", "16", "--anomaly-epochs", "1",
           "--anomaly-hidden", "4", "--anomaly-latent", "2"]


def store_item(path: Path, days: int = 80, header: str = "date,store,item,sales") -> Path:
    """Kaggle's store-item demand layout: each (store, item) pair is a daily series."""
    rows = [header]
    for d, t in enumerate(pd.date_range("2024-01-01", periods=days, freq="D")):
        for s in (1, 2):
            for i in (1, 2):
                rows.append(f"{t:%Y-%m-%d},{s},{i},{10 * s + i + 3 * np.sin(d / 1.1):.2f}")
    path.write_text("\n".join(rows) + "\n")
    return path


def _series(out: str) -> set[str]:
    return set(pd.read_csv(io.StringIO(out), dtype={"series": str})["series"])


@pytest.mark.parametrize("keys", [["--series-col", "store,item"],
                                  ["--series-col", "store", "--series-col", "item"]])
def test_two_key_columns_name_each_series_and_later_commands_reuse_them(tmp_path: Path,
                                                                        keys) -> None:
    data, model = store_item(tmp_path / "train.csv"), tmp_path / "m"
    # No --target: the key columns are not candidates, so sales is the one numeric column.
    res = runner.invoke(app, ["train", str(data), "--model", str(model), *TINY, *keys,
                              *ANOMALY])
    assert res.exit_code == 0, res.output
    meta = load_bundle(model).meta
    assert meta["data"]["spec"]["series_parts"] == ["store", "item"]
    assert meta["data"]["columns"] == ["sales"]
    assert set(meta["scalers"]) == NAMES
    for command in ("predict", "detect-anomalies"):
        res = runner.invoke(app, [command, "--model", str(model)])
        assert res.exit_code == 0, res.output
        assert _series(res.stdout) == NAMES
    info = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert json.loads(info.stdout)["data"]["series_by"] == ["store", "item"]


def test_a_bundle_keyed_by_two_columns_is_refused_by_a_release_reading_version_1(
        tmp_path: Path, monkeypatch) -> None:
    # A version-1 reader has no series_parts: it failed on such a bundle with an internal
    # error. Version 2 is written for them only, so it says which release reads the bundle.
    data = store_item(tmp_path / "train.csv")
    for keys, model, version in (["store,item"], tmp_path / "two", 2), (["store"], tmp_path /
                                                                        "one", 1):
        res = runner.invoke(app, ["train", str(data), "--model", str(model), *TINY,
                                  "--series-col", *keys, "--target", "sales",
                                  "--duplicates", "mean"])
        assert res.exit_code == 0, res.output
        assert load_bundle(model).meta["format_version"] == version
    monkeypatch.setattr("forecaster.bundle.READS", (1,))
    res = runner.invoke(app, ["predict", "--model", str(tmp_path / "two")])
    assert res.exit_code == 78, res.output
    assert "format version 2, this forecaster reads versions 1 to 1" in res.stderr
    res = runner.invoke(app, ["predict", "--model", str(tmp_path / "one")])
    assert res.exit_code == 0, res.output


def test_repeated_series_col_is_a_key_of_both_in_backtest(tmp_path: Path) -> None:
    data, out = store_item(tmp_path / "train.csv"), tmp_path / "bt.csv"
    res = runner.invoke(app, ["backtest", str(data), "--series-col", "store", "--series-col",
                              "item", "--epochs", "1", "--ensemble", "1", "--hidden", "4",
                              "--window", "14", "--segment", "7", "--horizon", "7",
                              "--start", "0.8", "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert _series(out.read_text()) == NAMES


def test_a_column_named_with_a_comma_is_one_key(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('date,"store,item",sales\n' + "".join(
        f"2024-01-{d + 1:02d},{k},{d}\n" for d in range(20) for k in "AB"))
    frame = load_frame(path, DataSpec(series_col="store,item"))
    assert sorted(s.name for s in frame.series) == ["A", "B"]
    assert frame.spec.series_col == "store,item" and frame.spec.targets == ["sales"]


def test_bundles_from_before_series_parts_keep_their_one_column() -> None:
    # A spec of one key column is written without series_parts, as the release before it
    # wrote it, and reads back so; that release refused the unknown key on every bundle.
    old = DataSpec(series_col="store").to_dict()
    assert "series_parts" not in old
    assert DataSpec.from_dict(old).series_cols == ["store"]
    two = DataSpec(series_parts=["store", "item"])
    assert DataSpec.from_dict(two.to_dict()) == two


def test_a_key_column_of_text_is_not_named_among_columns_left_out(tmp_path: Path) -> None:
    # Favorita keys a series by store and a family of text ("BREAD/BAKERY"): with the
    # target chosen by default, the key column is no column of text passed over.
    path = store_item(tmp_path / "fam.csv", header="date,store,family,sales")
    text = path.read_text().replace(",1,1,", ",1,GROCERY,").replace(",2,1,", ",2,GROCERY,")
    path.write_text(text.replace(",1,2,", ",1,DAIRY,").replace(",2,2,", ",2,DAIRY,"))
    frame = load_frame(path, DataSpec(series_col="store,family"))
    assert frame.spec.targets == ["sales"]
    assert not any("left out as text" in n for n in frame.notes), frame.notes


def _tags(path: Path, tags: list[tuple[object, int]], hours: int = 300,
          header: str = "TagName,DateTime,Value,Quality", epoch: bool = False) -> Path:
    """A historian's long export: each tag hourly, scanned ``offset`` minutes past the hour,
    so no two tags share a timestamp."""
    rows = []
    start = pd.Timestamp("2026-10-01")
    for level, (tag, offset) in enumerate(tags):
        for k in range(hours):
            when = start + pd.Timedelta(hours=k, minutes=offset)
            stamp = str(int(when.timestamp())) if epoch else when.strftime("%d-%b-%Y %H:%M:%S")
            rows.append((tag, stamp, round(50 + 30 * level + 5 * np.sin(k / 3.8), 3), "Good"))
    pd.DataFrame(rows, columns=header.split(",")).to_csv(path, index=False)
    return path


def test_tags_scanned_at_different_phases_are_refused_naming_their_column(
        tmp_path: Path) -> None:
    # OSIsoft PI: FIC101.PV on the hour, TIC202.PV on the half hour. No timestamp repeats,
    # so they were merged into one series whose forecast alternated 49, 80, 49, 80.
    data = _tags(tmp_path / "pi.csv", [("FIC101.PV", 0), ("TIC202.PV", 30)])
    res = runner.invoke(app, ["train", str(data), "--model", str(tmp_path / "m"), *TINY])
    assert res.exit_code == 65, res.output
    assert "column 'TagName' holds 2 distinct values ('FIC101.PV', 'TIC202.PV')" in res.stderr
    assert "give --series-col TagName" in res.stderr
    assert not (tmp_path / "m").exists()
    res = runner.invoke(app, ["train", str(data), "--model", str(tmp_path / "m"), *TINY,
                              "--series-col", "TagName"])  # the advice, followed
    assert res.exit_code == 0, res.output
    assert set(load_bundle(tmp_path / "m").meta["scalers"]) == {"FIC101.PV", "TIC202.PV"}


@pytest.mark.parametrize("resample", [[], ["--resample", "h"]])
def test_items_of_whole_number_ids_are_refused_even_when_binned(tmp_path: Path,
                                                                resample) -> None:
    # Zabbix's history export: itemid, clock (epoch seconds), value. CPU load at :07 and
    # memory bytes at :37 read as one series; --resample h averaged them together.
    data = _tags(tmp_path / "zbx.csv", [(23296, 7), (23297, 37)], header="itemid,clock,value,ns",
                 epoch=True)
    data.write_text(data.read_text().replace(",Good", ",0"))
    res = runner.invoke(app, ["train", str(data), "--model", str(tmp_path / "m"), *TINY,
                              "--time-col", "clock", "--target", "value", *resample])
    assert res.exit_code == 65, res.output
    assert ("column 'itemid' holds 2 distinct values ('23296', '23297')" in res.stderr
            and "give --series-col itemid" in res.stderr)


def test_a_quality_column_or_a_key_given_is_no_series_key(tmp_path: Path) -> None:
    # Good/Bad flags on an hourly tag: the Bad rows lie on no grid, and together the rows
    # are as regular as the Good ones alone. A single tag's name has one value.
    data = _tags(tmp_path / "one.csv", [("FIC101.PV", 0)], hours=200)
    frame = pd.read_csv(data)
    frame.loc[frame.index % 7 == 3, "Quality"] = "Bad"
    frame.loc[frame.index % 11 == 5, "Quality"] = "Substituted"
    frame.to_csv(data, index=False)
    assert len(load_frame(data, DataSpec()).series) == 1
    res = runner.invoke(app, ["train", str(data), "--model", str(tmp_path / "m"), *TINY])
    assert res.exit_code == 0, res.output
    two = _tags(tmp_path / "two.csv", [("FIC101.PV", 0), ("TIC202.PV", 30)])
    assert len(load_frame(two, DataSpec(series_col="TagName")).series) == 2
    # A Day column of Mon, Tue, ... beside daily dates takes turns as tags do: a label of
    # the calendar, not a series key.
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    daily = tmp_path / "daily.csv"
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Day": days.day_name(),
                  "Sales": np.arange(120.0) % 9}).to_csv(daily, index=False)
    assert len(load_frame(daily, DataSpec()).series) == 1
