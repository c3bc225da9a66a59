"""The weights of a bundle against the networks its config describes, checked on load.

``predict`` and ``detect-anomalies`` found a mismatch only when they rebuilt the network
they use: ``forecast info`` (and a rollback to the version, or a detect-anomalies that
never rebuilds the forecaster) read a bundle whose weights fit no network of its config.
Checked here, on the meta device (no memory, no initialisation: about 6 ms), by name and
shape; the values themselves are checked where a network is rebuilt (``models.restore``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from forecaster.errors import BundleError
from forecaster.models.forecaster_net import ForecasterConfig, ForecasterEnsemble
from forecaster.models.reconstructor import Reconstructor, ReconstructorConfig


def check_weights(meta: dict, tensors: dict[str, torch.Tensor], where: Path) -> None:
    """Raise BundleError where a network of the bundle's config would not take its weights.

    Args:
        meta: the bundle's metadata (its shape checked).
        tensors: the weights, by name.
        where: the version directory, for the message.
    """
    fc = meta["forecaster"]
    members = fc.get("members", 1)  # bundles from before ensembles held one network
    nets = [("forecaster", "forecaster", "its", members * fc["config"].get("layers", 1),
             lambda: ForecasterEnsemble(ForecasterConfig(**fc["config"]), members))]
    if meta.get("anomaly"):  # absent or null: trained with --no-anomaly
        cfg = meta["anomaly"]["config"]
        nets.append(("anomaly.net", "anomaly", "their", cfg.get("layers", 1),
                     lambda: Reconstructor(ReconstructorConfig(**cfg))))
    for prefix, name, its, layers, build in nets:
        problem = _mismatch(prefix, tensors, layers, build)
        if problem:
            raise BundleError(f"{where}: {name} weights are damaged or do not match {its} "
                              f"config ({problem}); retrain with 'forecast train'")


def _mismatch(prefix: str, tensors: dict[str, torch.Tensor], layers: int,
              build: Callable[[], nn.Module]) -> str:
    """What keeps ``build()`` from taking the tensors under ``prefix.``; "" if nothing.

    ``layers`` (recurrent layers in all) is a floor on the tensors a network of the config
    holds, at least one per layer: a config edited to a million layers or members is
    refused before it is built (half a millisecond a layer, even on the meta device).
    """
    held = {k: tuple(v.shape) for k, v in tensors.items() if k.startswith(prefix + ".")}
    if layers > len(held):
        return f"the config asks for {layers} recurrent layer(s) in all; the weights hold " \
            f"{len(held)} tensor(s)"
    try:
        with torch.device("meta"):
            wanted = {f"{prefix}.{k}": tuple(v.shape) for k, v in build().state_dict().items()}
    except (TypeError, ValueError, RuntimeError, OverflowError) as exc:  # no network of it
        return str(exc).strip().splitlines()[0][:200]
    for key, shape in wanted.items():
        if key not in held:
            return f"no tensor {key}"
        if held[key] != shape:
            return f"tensor {key} is {list(held[key])}, the config makes it {list(shape)}"
    extra = sorted(set(held) - set(wanted))
    return f"tensor {extra[0]}, which the config has no place for" if extra else ""
