"""Hand-edited metadata of a bundle with no SHA256SUMS (every bundle written before them).

With no checksums to catch an edit, a value of the wrong kind deep in ``bundle.json`` was
an internal error (exit 70) or was blamed on an option the user never typed (exit 2,
"--threshold x"). Each must read as a damaged bundle: exit 78, one ``Error:`` line that
names the key.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _set(path: tuple[str, ...], value: object):
    def edit(meta: dict) -> None:
        for key in path[:-1]:
            meta = meta[key]
        meta[path[-1]] = value
    return edit


def _del(path: tuple[str, ...]):
    def edit(meta: dict) -> None:
        for key in path[:-1]:
            meta = meta[key]
        del meta[path[-1]]
    return edit


EDITS = [
    # Keys the code reads: deleted, each was a KeyError (exit 70).
    *[(_del(p), f"lacks '{'.'.join(p)}'") for p in (
        ("anomaly", "combine"), ("anomaly", "smooth"), ("anomaly", "threshold", "k"),
        ("anomaly", "threshold", "prune"))],
    # Values no release wrote: a norm of "bogus" changed the forecast silently.
    (_set(("forecaster", "config", "norm"), "bogus"), "'forecaster.config.norm' holds 'bogus'"),
    (_set(("data", "spec", "fill"), "bogus"), "'data.spec.fill' holds 'bogus'"),
    (_set(("forecaster", "counters"), {"": ["value"]}), "'forecaster.counters.' holds"),
    (_set(("forecaster", "counters"), {"": {"value": "x"}}), "not 1 or -1"),
    (_set(("anomaly", "smooth"), "x"), "'anomaly.smooth' holds 'x', not a whole number"),
    (_set(("anomaly", "threshold", "rule"), "x"), "'anomaly.threshold.rule' holds 'x'"),
    (_set(("anomaly", "threshold", "trim"), 1.5), "'anomaly.threshold.trim' holds 1.5"),
    (_set(("anomaly", "config", "bidirectional"), None), "'anomaly.config.bidirectional'"),
    (_set(("anomaly", "normalisation", "scale"), [0.0]),
     "'anomaly.normalisation.scale[0]' holds 0.0, expected a number above 0"),
    (_set(("data", "path"), None), "'data.path' holds null, not a string"),
    (_set(("data", "spec", "freq"), "x"), "'data.spec.freq' holds 'x', not a frequency"),
    (_set(("data", "spec", "resample"), "x"), "'data.spec.resample' holds 'x', not a frequen"),
    (_set(("forecaster", "config", "window"), 24.0), "'forecaster.config.window' holds 24.0"),
    (_set(("anomaly", "normalisation"), {"center": [0.0, 0.0], "scale": [1.0, 1.0]}),
     "2 center(s) and 2 scale(s) for 1 column(s)"),
    (_set(("data", "series", ""), {}), "lacks 'data.series..first'"),
    (_set(("data", "series", "", "last"), "x"), "'data.series..last' holds 'x', not a timestamp"),
    (_set(("scalers", "", "mean"), []), "0 mean(s) and 1 scale(s) for 1 column(s)"),
    (_set(("scalers", "", "max"), [1.0, 2.0]), "'scalers..max' holds 2 value(s) for 1 column"),
    (_set(("scalers", "", "min"), ["x"]), "'scalers..min' holds a list, not a list of numbers"),
    (_set(("forecaster", "config", "window"), -1), "'forecaster.config.window' holds -1"),
    (_set(("settings",), "x"), "'settings' holds 'x', not an object"),
    (_set(("anomaly", "stuck"), {"limits": {"": [-1]}}), "not a list of whole numbers"),
    (_set(("anomaly", "stuck"), {"limits": {"": [5, 5]}}), "2 limit(s) for 1 column(s)"),
    (_set(("anomaly", "stuck"), {"limits": {"": [5]}, "levels": {"": [[[0.0]]]}}),
     "not a list of [value, limit] lists"),
    (_set(("anomaly", "stuck"), {"limits": {"": [5]}, "levels": {"": [[], []]}}),
     "2 level(s) for 1 column(s)"),
    # The fold metrics info shows: "x" for the list was an AttributeError in info (exit 70).
    (_set(("metrics", "folds"), "x"), "'metrics.folds' holds 'x', not a list"),
    (_set(("metrics", "folds"), None), "'metrics.folds' holds null, not a list"),
    (_set(("metrics", "folds"), ["x"]), "'metrics.folds[0]' holds 'x', not an object"),
    (_set(("metrics", "folds", 0, "mae"), "x"),
     "'metrics.folds[0].mae' holds 'x', not a number or null"),
    (_set(("metrics", "folds", 0, "val_end"), 5), "'metrics.folds[0].val_end' holds 5, not a"),
    (_del(("metrics", "folds", 0, "fold")), "lacks 'metrics.folds[0].fold'"),
]


@pytest.mark.parametrize("edit, needle", EDITS)
@pytest.mark.parametrize("command", ["predict", "detect-anomalies", "info"])
def test_a_wrong_kind_in_an_unsummed_bundle_is_a_damaged_bundle(
        tmp_path: Path, edit, needle: str, command: str) -> None:
    model = Path(shutil.copytree(FIXTURES / "bundle_v1", tmp_path / "m"))
    version = current_version_dir(model)
    assert not (version / "SHA256SUMS").exists()  # nothing but the shape check can tell
    meta = json.loads((version / "bundle.json").read_text())
    edit(meta)
    (version / "bundle.json").write_text(json.dumps(meta))
    result = runner.invoke(app, [command, "--model", str(model), "--data",
                                 str(FIXTURES / "tiny.csv")][: 3 if command == "info" else 5])
    assert result.exit_code == 78, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], lines
    assert result.stdout == ""


def test_a_bundle_without_its_data_path_asks_for_the_data(tmp_path: Path) -> None:
    # Deleted by hand, 'data.path' was a KeyError (exit 70) for every default run.
    model = Path(shutil.copytree(FIXTURES / "bundle_v1", tmp_path / "m"))
    version = current_version_dir(model)
    meta = json.loads((version / "bundle.json").read_text())
    del meta["data"]["path"]
    (version / "bundle.json").write_text(json.dumps(meta))
    for command in ("predict", "detect-anomalies"):
        result = runner.invoke(app, [command, "--model", str(model)])
        assert result.exit_code == 78, result.output
        assert result.stderr.startswith("Error: the bundle records no training CSV")
    data = ["--data", str(FIXTURES / "tiny.csv")]
    result = runner.invoke(app, ["predict", "--model", str(model), *data])
    assert result.exit_code == 0, result.output
    res = runner.invoke(app, ["info", "--model", str(model)])
    assert res.exit_code == 0, res.output

