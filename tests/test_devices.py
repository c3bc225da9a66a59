"""``--device``: auto, cpu, cuda, and cuda:N for one GPU of several; a GPU that is not there
is an error naming the devices there are, never a quiet fall back to the CPU."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import TINY, one_error_line
from typer.testing import CliRunner

from forecaster.cli import app
from forecaster.pipeline.devices import resolve_device

runner = CliRunner()


def _gpus(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)


def _train(tmp_path: Path, series_csv: Path, device: str):
    return runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"), *TINY,
                               "--device", device])


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_a_gpu_asked_for_where_there_is_none(tmp_path: Path, series_csv: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            device: str) -> None:
    _gpus(monkeypatch, 0)
    line = one_error_line(_train(tmp_path, series_csv, device), 2)
    assert line == (f"Error: --device {device}: no CUDA device is available here; use "
                    "--device cpu or auto"), line
    assert not (tmp_path / "m").exists()


def test_a_gpu_number_past_the_last_names_those_there_are(
        tmp_path: Path, series_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 'cuda:1' was refused as no device at all ("expected one of auto, cpu, cuda") on
    # machines with several GPUs, where it is how one is chosen.
    _gpus(monkeypatch, 2)
    line = one_error_line(_train(tmp_path, series_csv, "cuda:2"), 2)
    assert line == ("Error: --device cuda:2: this machine has 2 CUDA device(s), cuda:0 to "
                    "cuda:1; give one of those (CUDA_VISIBLE_DEVICES chooses and renumbers "
                    "them)"), line


@pytest.mark.parametrize("device", ["cuda:0", "cuda:1", "cuda", "cpu"])
def test_a_gpu_there_is_resolved_to_itself(monkeypatch: pytest.MonkeyPatch,
                                          device: str) -> None:
    _gpus(monkeypatch, 2)
    assert resolve_device(device) == torch.device(device)


@pytest.mark.parametrize("device", ["gpu", "CUDA", "cuda:", "cuda:-1", "cuda:x", "mps"])
def test_a_name_that_is_no_device(tmp_path: Path, series_csv: Path, device: str) -> None:
    line = one_error_line(_train(tmp_path, series_csv, device), 2)
    assert line == (f"Error: --device {device}: expected one of auto, cpu, cuda, or cuda:N "
                    "(the GPU numbered N)"), line


def test_a_gpu_number_in_forecast_toml_is_checked_as_the_option(
        tmp_path: Path, series_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _gpus(monkeypatch, 0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.toml").write_text('device = "cuda:1"\n')
    result = runner.invoke(app, ["train", str(series_csv), "--model", str(tmp_path / "m"),
                                 *TINY])
    assert one_error_line(result, 2).startswith("Error: --device cuda:1: no CUDA device"), (
        result.stderr)
