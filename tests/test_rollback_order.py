"""Rollback undoes the last change of CURRENT, and --keep keeps the versions most recently
current: a retrain after a rollback never brings back the version rolled back from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import train_tiny
from typer.testing import CliRunner

from forecaster.bundle_versions import current_version_dir
from forecaster.cli import app

runner = CliRunner()


def _seed(model: Path) -> int:
    """The --seed of the version CURRENT names."""
    return _meta(current_version_dir(model))["settings"]["seed"]


def _meta(version: Path) -> dict:
    return json.loads((version / "bundle.json").read_text())


def _kept_seeds(model: Path) -> list[int]:
    return sorted(_meta(v)["settings"]["seed"] for v in (model / "versions").glob("v*"))


def _rollback(model: Path) -> None:
    result = runner.invoke(app, ["rollback", "--model", str(model)])
    assert result.exit_code == 0, result.output


def test_rollback_after_a_retrain_returns_to_the_version_in_use_before_it(
        tmp_path: Path, series_csv: Path) -> None:
    model = tmp_path / "m"
    for seed in ("1", "2", "3"):
        train_tiny(series_csv, model, "--seed", seed)
    _rollback(model)
    assert _seed(model) == 2
    train_tiny(series_csv, model, "--seed", "4")
    assert _seed(model) == 4
    _rollback(model)
    assert _seed(model) == 2  # not 3: the user had rolled back from it
    _rollback(model)
    assert _seed(model) == 1


def test_keep_keeps_the_version_current_before_the_retrain(tmp_path: Path,
                                                           series_csv: Path) -> None:
    model = tmp_path / "m"
    for seed in ("1", "2", "3"):
        train_tiny(series_csv, model, "--seed", seed, "--keep", "2")
    assert _kept_seeds(model) == [2, 3]
    _rollback(model)
    train_tiny(series_csv, model, "--seed", "4", "--keep", "2")
    assert _kept_seeds(model) == [2, 4]  # 3, rolled back from, goes first
    _rollback(model)
    assert _seed(model) == 2
    result = runner.invoke(app, ["rollback", "--model", str(model)])
    assert result.exit_code == 2 and "nothing to roll back to" in result.stderr


def test_a_bundle_without_history_rolls_back_by_name_and_then_keeps_one(
        tmp_path: Path, series_csv: Path) -> None:
    # Bundles written before HISTORY was kept: rollback goes back in name order, as it
    # did; the first train then starts the history from the version it replaces.
    model = tmp_path / "m"
    for seed in ("1", "2", "3"):
        train_tiny(series_csv, model, "--seed", seed)
    (model / "HISTORY").unlink()
    _rollback(model)
    assert _seed(model) == 2
    (model / "HISTORY").unlink()  # as an older release's rollback left it
    train_tiny(series_csv, model, "--seed", "4")
    _rollback(model)
    assert _seed(model) == 2
    _rollback(model)
    assert _seed(model) == 1


# --- the history's edge cases, on versions made by hand (no training needed) ---------------

NAMES = [f"v20260101T00000{i}Z-abcd" for i in range(4)]


@pytest.fixture
def hand_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Versions made by hand hold no model: rollback's load check of the target passes."""
    monkeypatch.setattr("forecaster.bundle.check_version", lambda version_dir: None)


def _fake_bundle(root: Path, current: str, history: list[str] | None) -> Path:
    for name in NAMES:
        (root / "versions" / name).mkdir(parents=True)
        (root / "versions" / name / "bundle.json").write_text("{}")
    (root / "CURRENT").write_text(current + "\n")
    if history is not None:
        (root / "HISTORY").write_text("".join(n + "\n" for n in history))
    return root


@pytest.mark.parametrize(("current", "history", "removed", "back_to", "left"), [
    # the rollback's history write was lost: CURRENT alone says where we are
    (NAMES[1], NAMES, None, NAMES[0], NAMES[:1]),
    # a version the history names was removed by hand: skipped
    (NAMES[3], [NAMES[0], NAMES[2], NAMES[3]], NAMES[2], NAMES[0], NAMES[:1]),
    # a train by an older release left CURRENT off the history: it is added
    (NAMES[3], NAMES[:2], None, NAMES[1], NAMES[:2]),
])
@pytest.mark.usefixtures("hand_made")
def test_rollback_reconciles_the_history_with_current(tmp_path: Path, current: str,
                                                      history: list[str], removed: str | None,
                                                      back_to: str, left: list[str]) -> None:
    root = _fake_bundle(tmp_path / "m", current, history)
    if removed:
        (root / "versions" / removed / "bundle.json").unlink()
    _rollback(root)
    assert (root / "CURRENT").read_text() == back_to + "\n"
    assert (root / "HISTORY").read_text().split() == left


@pytest.mark.usefixtures("hand_made")
def test_a_history_that_is_a_link_is_replaced_not_followed(tmp_path: Path) -> None:
    root = _fake_bundle(tmp_path / "m", NAMES[3], None)
    outside = tmp_path / "outside"
    outside.write_text(NAMES[0] + "\n")
    (root / "HISTORY").symlink_to(outside)
    _rollback(root)  # the link is no history: name order
    assert (root / "CURRENT").read_text() == NAMES[2] + "\n"
    assert outside.read_text() == NAMES[0] + "\n"
    assert not (root / "HISTORY").is_symlink()


def test_rollback_refuses_a_damaged_version_and_keeps_the_current_one(
        tmp_path: Path, series_csv: Path) -> None:
    # It switched to the damaged version and said "rolled back": a working bundle broke,
    # and predict failed from then on (exit 78).
    model = tmp_path / "m"
    for seed in ("1", "2"):
        train_tiny(series_csv, model, "--seed", seed)
    current = current_version_dir(model)
    older = next(v for v in (model / "versions").glob("v*") if v != current)
    (older / "bundle.json").write_text("garbage")
    result = runner.invoke(app, ["rollback", "--model", str(model)])
    assert result.exit_code == 78, result.output
    assert result.stderr.startswith(f"Error: cannot roll back to {older.name}: it is damaged")
    assert f"{current.name} stays current" in result.stderr
    assert current_version_dir(model) == current and _seed(model) == 2


def test_info_lists_the_kept_versions_and_what_rollback_returns_to(tmp_path: Path,
                                                                   series_csv: Path) -> None:
    model = tmp_path / "m"
    for seed in ("1", "2", "3"):
        train_tiny(series_csv, model, "--seed", seed)
    _rollback(model)  # 2 current; a rollback now returns to 1, never to 3

    result = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    kept = sorted(v.name for v in (model / "versions").glob("v*"))
    assert summary["kept"] == kept and summary["version"] == kept[1]
    assert summary["rollback_to"] == kept[0]
    _rollback(model)
    result = runner.invoke(app, ["info", "--model", str(model), "--format", "json"])
    assert json.loads(result.stdout)["rollback_to"] is None
    table = runner.invoke(app, ["info", "--model", str(model)])
    assert "nothing older to roll back to" in table.stdout
    assert all(name in table.stdout for name in kept)  # listed, not only counted
