"""A ``--model`` folder is the bundle's own: ``train data.csv -m .`` spread a bundle among
the user's files, and every later ``--output`` there was refused as "inside the model
directory". A folder that holds other files and is no bundle is refused before training."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import TINY, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app

runner = CliRunner()


def _train(csv: Path, model: Path):
    return runner.invoke(app, ["train", str(csv), "--model", str(model), *TINY])


def test_a_folder_of_other_files_is_refused_and_left_as_it_was(tmp_path: Path,
                                                               series_csv: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(series_csv, project / "data.csv")
    (project / "notes.txt").write_text("mine\n")
    line = one_error_line(_train(project / "data.csv", project), 73)
    assert line == (f"Error: --model {project}: the folder holds files that are no model "
                    "bundle's (data.csv, notes.txt); a bundle needs a folder of its own: give "
                    "--model a new folder (it is created), e.g. --model forecast-model"), line
    assert sorted(p.name for p in project.iterdir()) == ["data.csv", "notes.txt"]


def test_many_other_files_are_counted(tmp_path: Path, series_csv: Path) -> None:
    for i in range(5):
        (tmp_path / f"f{i}.csv").write_text("x\n")
    line = one_error_line(_train(series_csv, tmp_path), 73)
    assert "(f0.csv, f1.csv, f2.csv and 3 more)" in line, line


def test_hidden_files_and_a_volumes_lost_and_found_are_no_obstacle(tmp_path: Path,
                                                                  series_csv: Path) -> None:
    model = tmp_path / "volume"
    (model / "lost+found").mkdir(parents=True)
    (model / ".gitkeep").write_text("")
    result = _train(series_csv, model)
    assert result.exit_code == 0, result.output
    assert (model / "CURRENT").is_file()


def test_a_bundle_with_a_file_of_its_owners_beside_it_retrains(trained: Path,
                                                              series_csv: Path) -> None:
    (trained / "README.txt").write_text("the plant's model\n")
    result = _train(series_csv, trained)
    assert result.exit_code == 0, result.output
