"""The one-way dependency flow the README promises: cli -> pipeline -> anomaly / ops ->
models -> data, with the shared top-level modules (errors, config, bundle, io, ...) below
pipeline. Checked on the import statements, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "forecaster"
RANK = {"data": 0, "models": 1, "anomaly": 2, "ops": 2, "pipeline": 3, "cli": 4}
ENTRY_POINT = "__main__.py"  # `python -m forecaster` runs the CLI


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return [n.split(".")[1] for n in names if n.startswith("forecaster.")]


def _layer(path: Path) -> int:
    parts = path.relative_to(PACKAGE).parts
    # A top-level module (errors, config, bundle, io, report, ...) serves pipeline and cli.
    return RANK[parts[0]] if len(parts) > 1 else RANK["pipeline"] - 1


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = [f"{path.relative_to(PACKAGE)} imports forecaster.{name}"
              for path in sorted(PACKAGE.rglob("*.py")) if path.name != ENTRY_POINT
              for name in _imports(path) if RANK.get(name, -1) > _layer(path)]
    assert not upward, upward


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from forecaster.pipeline.evaluation import QUANTILE_GRID\n")
    assert _imports(bad) == ["pipeline"]
