"""Where the networks run: the ``--device`` of train and backtest, and the deterministic
mode that keeps CPU and CUDA runs repeatable."""

from __future__ import annotations

import os

import torch

from forecaster.errors import ConfigError


def deterministic_mode() -> None:
    """Make torch use only deterministic algorithms, on CPU and CUDA alike.

    On CUDA 10.2 and later cuBLAS is deterministic only with a fixed workspace: without
    ``CUBLAS_WORKSPACE_CONFIG`` torch raises at the first matmul, so ``--deterministic
    --device cuda`` stopped there. ":4096:8" is the value PyTorch's reproducibility notes
    give. Called before CUDA starts (cuBLAS reads the variable then); a value the user set
    is kept.
    """
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True)


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when present; ``cuda`` is the first GPU, ``cuda:N`` the GPU
    numbered N (as CUDA numbers those ``CUDA_VISIBLE_DEVICES`` leaves). Asking for a GPU
    that is not there is an error, not a fall back to the CPU.

    Raises:
        ConfigError: no such device here, or a name that is none.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device(name)
    kind, _, number = name.partition(":")
    if kind != "cuda" or not (number.isdigit() or name == "cuda"):
        raise ConfigError(f"--device {name}: expected auto, cpu, cuda or cuda:N (the GPU "
                          "numbered N)")
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if not count:
        raise ConfigError(f"--device {name}: no CUDA device is available here; use --device "
                          "cpu or auto")
    if int(number or 0) >= count:
        raise ConfigError(f"--device {name}: this machine has {count} CUDA device(s), cuda:0 "
                          f"to cuda:{count - 1}; give one of those (CUDA_VISIBLE_DEVICES "
                          "chooses and renumbers them)")
    return torch.device(name)
