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
