"""Static checks of the Dockerfile (no Docker engine needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
CPU_INDEX = "--index-url https://download.pytorch.org/whl/cpu"


def parse_instructions(text: str) -> list[tuple[str, str]]:
    """Split a Dockerfile into ``(INSTRUCTION, arguments)`` pairs.

    Comments and blank lines are dropped; backslash continuations are joined.

    Args:
        text: Dockerfile contents.

    Returns:
        Instructions in file order, the keyword upper-cased.
    """
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    return instructions


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    """Parsed instructions of the repository's Dockerfile."""
    return parse_instructions(DOCKERFILE.read_text(encoding="utf-8"))


def args_of(instructions: list[tuple[str, str]], keyword: str) -> list[str]:
    """Arguments of every instruction with the given keyword.

    Args:
        instructions: Parsed Dockerfile.
        keyword: Instruction keyword, upper-case.

    Returns:
        The argument strings, in file order.
    """
    return [args for kw, args in instructions if kw == keyword]


def run_index(instructions: list[tuple[str, str]], needle: str) -> int:
    """Position of the first instruction that is a RUN containing ``needle``.

    Args:
        instructions: Parsed Dockerfile.
        needle: Substring to look for.

    Returns:
        Index into ``instructions``.
    """
    for i, (kw, args) in enumerate(instructions):
        if kw == "RUN" and needle in args:
            return i
    raise AssertionError(f"no RUN containing {needle!r}")


def test_parser_joins_continuations() -> None:
    parsed = parse_instructions("# c\nFROM x\n\nRUN a \\\n    && b\nUSER u\n")
    assert parsed == [("FROM", "x"), ("RUN", "a && b"), ("USER", "u")]


def test_base_image_is_python_311_slim(instructions: list[tuple[str, str]]) -> None:
    assert instructions[0] == ("FROM", "python:3.11-slim")


def test_torch_is_pinned_cpu_wheel(instructions: list[tuple[str, str]]) -> None:
    torch_run = instructions[run_index(instructions, "torch==")][1]
    assert "torch==2.13.0" in torch_run
    assert CPU_INDEX in torch_run
    assert "--no-cache-dir" in torch_run
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "whl/cu" not in text
    assert "nvidia" not in text.lower()


def test_torch_installed_before_project(instructions: list[tuple[str, str]]) -> None:
    project = run_index(instructions, "pip install --no-cache-dir .")
    assert run_index(instructions, "torch==") < project
    copies = [i for i, (kw, _) in enumerate(instructions) if kw == "COPY"]
    assert copies and min(copies) < project


def test_runs_as_non_root_user(instructions: list[tuple[str, str]]) -> None:
    users = args_of(instructions, "USER")
    assert users, "Dockerfile has no USER instruction"
    assert users[-1] == "forecaster"
    assert users[-1].split(":")[0] not in {"root", "0"}
    useradd = instructions[run_index(instructions, "useradd")][1]
    assert "--uid 1000" in useradd


def test_entrypoint_and_cmd(instructions: list[tuple[str, str]]) -> None:
    assert json.loads(args_of(instructions, "ENTRYPOINT")[-1]) == ["forecast"]
    assert json.loads(args_of(instructions, "CMD")[-1]) == ["--help"]


def test_volumes_workdir_and_model_dir(instructions: list[tuple[str, str]]) -> None:
    volumes = {v for args in args_of(instructions, "VOLUME") for v in json.loads(args)}
    assert {"/data", "/models"} <= volumes
    assert args_of(instructions, "WORKDIR")[-1] == "/work"
    assert "FORECAST_MODEL_DIR=/models/forecast-model" in args_of(instructions, "ENV")


def test_dockerignore_excludes_local_state() -> None:
    entries = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "**/__pycache__", ".pytest_cache", "forecast-model"} <= entries
    assert "bench-out" in entries
