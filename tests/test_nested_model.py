"""--model naming a folder inside a bundle (its versions/, a version): refused by train
(it nested a bundle in the bundle), and told by the readers with the bundle to give."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY, one_error_line
from typer.testing import CliRunner

from forecaster.bundle_nest import enclosing_bundle
from forecaster.cli import app

runner = CliRunner()


@pytest.fixture
def bundle(tmp_path: Path, trained: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The bundle as a relative path, as typed in its folder.
    monkeypatch.chdir(trained.parent)
    return Path(trained.name)


def _version(bundle: Path) -> Path:
    return bundle / "versions" / (bundle / "CURRENT").read_text().strip()


def test_train_refuses_a_model_inside_a_bundle(bundle: Path, series_csv: Path) -> None:
    before = sorted((bundle / "versions").iterdir())
    for inside in (bundle / "versions", _version(bundle)):
        result = runner.invoke(app, ["train", str(series_csv), "--model", str(inside), *TINY])
        assert one_error_line(result, 2) == (
            f"Error: --model {inside}: lies inside the model bundle {bundle}; expected a "
            f"bundle's own directory: give --model {bundle} to train a new version of it, "
            "or a directory outside it for a new bundle")
    assert sorted((bundle / "versions").iterdir()) == before  # nothing nested


def test_predict_from_a_version_names_the_bundle(bundle: Path) -> None:
    version = _version(bundle)
    result = runner.invoke(app, ["predict", "--model", str(version)])
    line = one_error_line(result, 2)  # a path mistake, as for train: not damage (78)
    assert line == (f"Error: {version}: not a model bundle (no CURRENT file): it lies inside "
                    f"the model bundle {bundle}; point --model at the bundle's own "
                    f"directory: --model {bundle}")
    assert "forecast train" not in line


def test_enclosing_bundle(bundle: Path, tmp_path: Path) -> None:
    assert enclosing_bundle(bundle) is None
    assert enclosing_bundle(bundle / "versions" / "x" / "y") == bundle
    assert enclosing_bundle(Path("elsewhere")) is None


def test_a_folder_beside_a_bundles_own_files_is_not_inside_it(bundle: Path) -> None:
    # A project folder trained with -m . is a bundle; a second model in proj/other was
    # refused as "inside the model bundle", with advice to train into the project's.
    assert enclosing_bundle(bundle / "other") is None
    assert enclosing_bundle(bundle / "other" / "versions" / "v") is None
    assert enclosing_bundle(bundle / "versions") == bundle


@pytest.mark.parametrize("inside", ["CURRENT", "HISTORY", "versions"])
def test_predict_from_a_file_or_folder_of_the_bundle_names_the_bundle(bundle: Path,
                                                                      inside: str) -> None:
    # -m m/CURRENT advised retraining 'forecast train DATA.csv --model m/CURRENT' (66);
    # -m m/versions said the bundle was damaged (78).
    (bundle / "HISTORY").touch()
    result = runner.invoke(app, ["predict", "--model", str(bundle / inside)])
    what = ("not a model bundle (no CURRENT file): it lies inside the model bundle"
            if inside == "versions" else "a file of the model bundle")
    assert one_error_line(result, 2) == (
        f"Error: {bundle / inside}: {what} {bundle}{',' if inside != 'versions' else ';'} "
        f"{'not the bundle; ' if inside != 'versions' else ''}point --model at the bundle's "
        f"own directory: --model {bundle}")


def test_a_data_file_given_as_model_says_so(bundle: Path, series_csv: Path) -> None:
    # -m data.csv said to point --model at 'forecast train DATA.csv --model data.csv'.
    result = runner.invoke(app, ["predict", "--model", "series.csv"])
    assert one_error_line(result, 66) == (
        "Error: series.csv: a data file, not a model bundle (a directory); to forecast it, "
        "give --data series.csv with --model the bundle trained on it, or train one on it "
        "first: forecast train series.csv")


def test_another_file_given_as_model(bundle: Path) -> None:
    Path("notes.toml").write_text("")
    result = runner.invoke(app, ["predict", "--model", "notes.toml"])
    assert one_error_line(result, 66) == (
        "Error: notes.toml: is a file, not a model bundle (a directory); point --model at "
        "the directory a train wrote (forecast train DATA.csv --model DIR)")
