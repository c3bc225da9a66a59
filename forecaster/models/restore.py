"""Rebuild a saved network without paying for the random initialisation it is about to lose."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn


def restore(build: Callable[[], nn.Module], state: Mapping[str, torch.Tensor]) -> nn.Module:
    """``build()`` on the meta device, then the stored tensors put in place (strict).

    The orthogonal initialisation of recurrent weights (a QR per gate) cost about 0.6 s
    per network on the predict path, and every value it produced was overwritten at once.
    Shapes and names are checked as ``load_state_dict(strict=True)`` does; stored
    tensors are cast to each parameter's dtype, as a copying load would.
    """
    bad = [k for k, v in state.items() if v.is_floating_point() and not v.isfinite().all()]
    if bad:  # weights no training writes (it stops on a NaN loss): damaged or tampered with
        raise ValueError(f"tensor {bad[0]} holds NaN or infinite values")
    with torch.device("meta"):
        net = build()
    wanted = {**dict(net.named_parameters()), **dict(net.named_buffers())}
    cast = {k: v.to(wanted[k].dtype) if k in wanted and v.dtype != wanted[k].dtype else v
            for k, v in state.items()}
    net.load_state_dict(cast, strict=True, assign=True)
    return net
