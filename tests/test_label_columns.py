"""Which columns are targets: anomaly labels beside the values (Yahoo S5, SKAB), never
chosen by default and warned about when an option chooses them; and --target all."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, make_series
from typer.testing import CliRunner

from forecaster.bundle import load_bundle
from forecaster.cli import app
from forecaster.data.labels import is_label
from forecaster.data.loading import load_frame
from forecaster.data.spec import DataSpec
from forecaster.errors import DataError

runner = CliRunner()


def yahoo_a1(path: Path, n: int = 480) -> Path:
    """Yahoo S5 A1's layout: step numbers, the value, and its 0/1 label."""
    frame = make_series(n)
    label = np.zeros(n, int)
    label[[300, 400]] = 1
    pd.DataFrame({"timestamp": np.arange(1, n + 1), "value": frame["value"],
                  "is_anomaly": label}).to_csv(path, index=False)
    return path


def test_yahoo_a1_trains_on_value_and_leaves_the_label_out(tmp_path: Path) -> None:
    data = yahoo_a1(tmp_path / "real_1.csv")
    res = runner.invoke(app, ["train", str(data), "--model", str(tmp_path / "m"), *TINY])
    assert res.exit_code == 0, res.output
    assert "left out is_anomaly: 0/1 labels" in res.stderr
    assert "answer" in res.stderr and "Warning" not in res.stderr


def test_a_label_given_as_feature_is_read_with_a_warning(tmp_path: Path) -> None:
    data = yahoo_a1(tmp_path / "real_1.csv")
    res = runner.invoke(app, ["train", str(data), "--model", str(tmp_path / "m"), *TINY,
                              "--target", "value", "--features", "is_anomaly", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "Warning: real_1.csv: --features is_anomaly" in res.stderr
    assert "labels" in res.stderr and "see the answer" in res.stderr


def test_skab_labels_as_floats_and_true_false_are_labels() -> None:
    # SKAB writes its labels 0.0 and 1.0; other exports true/false, with gaps.
    assert is_label(pd.Series(["0.0", "1.0", "0.0"], name="anomaly"))
    assert is_label(pd.Series(["False", "", "TRUE"], name="Is-Outlier"))
    assert is_label(pd.Series(["0", "0"], name="change point"))
    assert not is_label(pd.Series(["0", "2"], name="anomaly"))  # a count, not a flag
    assert not is_label(pd.Series(["0", "1"], name="noise"))  # not a label's name


def test_a_label_given_as_target_warns(tmp_path: Path) -> None:
    data = yahoo_a1(tmp_path / "a1.csv")
    frame = load_frame(data, DataSpec(targets=["value,is_anomaly"]))
    assert frame.spec.targets == ["value", "is_anomaly"]
    assert any("--target is_anomaly" in w and "answer" in w for w in frame.warnings)


def test_yahoo_a4_components_stay_candidates_and_labels_are_named(tmp_path: Path) -> None:
    # A4: trend, noise and seasonality are parts of the value, not labels.
    n = 200
    t = np.arange(n, dtype=float)
    pd.DataFrame({"timestamps": 1416726000 + 3600 * np.arange(n), "value": 2 * t,
                  # trend not 0, 1, 2, ...: that column would be read as row numbers
                  "anomaly": 0, "changepoint": (t == 100).astype(int), "trend": 0.5 * t,
                  "noise": np.sin(t)}).to_csv(tmp_path / "a4.csv", index=False)
    with pytest.raises(DataError) as err:
        load_frame(tmp_path / "a4.csv", DataSpec())
    message = str(err.value)
    assert "several numeric columns (value, trend, noise; left out anomaly, changepoint" in (
        message)


def wide(path: Path, names: list[str], n: int = 480) -> Path:
    """A wide file: a time column and one daily-seasonal column per name."""
    frame = make_series(n)[["timestamp"]]
    for k, name in enumerate(names):
        frame[name] = make_series(n, seed=k)["value"] + k
    frame.to_csv(path, index=False)
    return path


def test_target_all_forecasts_each_value_column_but_features(tmp_path: Path) -> None:
    data = wide(tmp_path / "rates.csv", ["c0", "c1", "c2", "c3"])
    model = tmp_path / "m"
    res = runner.invoke(app, ["train", str(data), "--model", str(model), *TINY,
                              "--target", "all", "--features", "c3"])
    assert res.exit_code == 0, res.output
    assert "--target all: forecasting 3 numeric columns: c0, c1, c2" in res.stderr
    assert load_bundle(model).meta["data"]["columns"] == ["c0", "c1", "c2", "c3"]
    res = runner.invoke(app, ["predict", "--model", str(model)])
    assert res.exit_code == 0, res.output
    assert set(pd.read_csv(io.StringIO(res.stdout))["target"]) == {"c0", "c1", "c2"}


def test_target_all_leaves_labels_out_and_a_column_named_all_is_that_column(
        tmp_path: Path) -> None:
    data = yahoo_a1(tmp_path / "a1.csv")
    frame = load_frame(data, DataSpec(targets=["all"]))
    assert frame.spec.targets == ["value"]
    assert any("left out is_anomaly" in n for n in frame.notes), frame.notes
    named = wide(tmp_path / "named.csv", ["all", "other"])
    assert load_frame(named, DataSpec(targets=["all"])).spec.targets == ["all"]


def test_labels_with_nan_words_are_labels() -> None:
    col = pd.Series(["0", "NaN", "1", "0", "nan"], name="is_anomaly")
    assert is_label(col)


def test_a_lone_label_column_is_told_to_be_named(tmp_path: Path) -> None:
    # A machine's 0/1 state named 'label', the only numeric column: "no numeric column to
    # forecast ... expected plain numbers" was false.
    path = tmp_path / "state.csv"
    make_series(n=100).assign(label=lambda d: (d["value"] > 10).astype(int))[
        ["timestamp", "label"]].to_csv(path, index=False)
    with pytest.raises(DataError, match="the only numeric column, label, holds 0/1 values "
                       "named like anomaly labels.*give --target label if it is one"):
        load_frame(path, DataSpec())


def test_target_all_leaves_row_numbers_out(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    data = make_series(n=100).assign(other=lambda d: d["value"] * 2)
    data.insert(0, "id", np.arange(100))
    data.to_csv(path, index=False)
    assert load_frame(path, DataSpec(targets=["all"])).spec.targets == ["value", "other"]


def test_features_all_takes_every_other_value_column_but_labels(tmp_path: Path) -> None:
    # SKAB: eight sensors and the answer (anomaly, changepoint) beside them; a stock's
    # close with open, high, low and volume. The labels must not leak into the inputs.
    data = tmp_path / "skab.csv"
    frame = make_series(n=300)
    label = np.zeros(300, int)
    label[200:240] = 1
    frame.assign(pressure=frame["value"] * 0.5, current=np.arange(300) % 7 * 1.5,
                 anomaly=label, changepoint=label).to_csv(data, index=False)
    model = tmp_path / "m"
    res = runner.invoke(app, ["train", str(data), "--model", str(model), *TINY,
                              "--target", "value", "--features", "all"])
    assert res.exit_code == 0, res.output
    assert "--features all: inputs 2 numeric columns: pressure, current" in res.stderr
    assert load_bundle(model).meta["data"]["columns"] == ["value", "pressure", "current"]
    res = runner.invoke(app, ["predict", "--model", str(model)])
    assert res.exit_code == 0, res.output
    alone = tmp_path / "alone.csv"
    make_series(n=300).to_csv(alone, index=False)
    with pytest.raises(DataError, match="--features all found no numeric column besides"):
        load_frame(alone, DataSpec(features=["all"]))


def test_features_all_names_a_text_column_it_leaves_out(tmp_path: Path) -> None:
    # Beijing PM2.5's wind direction ('NW', 'SE', 'cv') beside its numeric weather columns.
    data = tmp_path / "pm.csv"
    rng = np.random.default_rng(0)
    make_series(n=300).assign(dewp=np.arange(300) % 9 * 1.0,
                              cbwd=rng.choice(["NW", "SE", "cv"], 300)).to_csv(data, index=False)
    frame = load_frame(data, DataSpec(targets=["value"], features=["all"]))
    assert frame.spec.features == ["dewp"]
    (note,) = [n for n in frame.notes if "left out as text" in n]
    assert note.startswith("pm.csv: --features all: left out as text: cbwd (")
    assert "one 0/1 column per category" in note
    plain = load_frame(data, DataSpec(targets=["value"], features=["dewp"]))
    assert not any("left out as text" in n for n in plain.notes)  # named inputs: no note
