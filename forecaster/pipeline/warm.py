"""``train --warm-start``: continue from the current bundle's weights on a grown file.

Meant for scheduled retraining: the forward-chaining evaluation is skipped (its
figures and the interval calibration are carried over from the previous bundle and
marked as such), and the final networks start from the previous weights instead
of from scratch, with early stopping on the newest data.
"""

from __future__ import annotations

from pathlib import Path

import torch

from forecaster.bundle import Bundle, load_bundle
from forecaster.data.loading import Frame
from forecaster.errors import ConfigError, MissingInputError
from forecaster.models.forecaster_net import ForecasterConfig
from forecaster.pipeline.predicting import load_forecaster


def previous_bundle(model_dir: Path, frame: Frame, cfg: ForecasterConfig,
                    members: int) -> Bundle:
    """The bundle to continue from, after checking it fits the data and settings."""
    try:
        prev = load_bundle(model_dir)
    except MissingInputError:
        raise ConfigError(f"--warm-start: no bundle in {model_dir} to continue from; run "
                          "'forecast train' without --warm-start first") from None
    was = prev.meta["forecaster"]
    if not _same_config(was.get("config"), cfg) or int(was.get("members", 1)) != members:
        raise ConfigError(f"--warm-start: the bundle in {model_dir} has another model shape "
                          "or ensemble size than these settings; train without --warm-start "
                          "or use the bundle's settings (see 'forecast info')")
    if prev.meta["data"].get("columns") != frame.columns:
        raise ConfigError(f"--warm-start: the bundle was trained on columns "
                          f"{prev.meta['data'].get('columns')}, the data has {frame.columns}")
    return prev


def _same_config(saved: dict | None, cfg: ForecasterConfig) -> bool:
    # Through the dataclass, so that fields added since the bundle was saved take
    # their defaults, which are what that bundle's network was built with.
    try:
        return ForecasterConfig(**(saved or {})) == cfg
    except TypeError:
        return False


def initial_states(prev: Bundle) -> list[dict[str, torch.Tensor]]:
    """Each member's previous weights."""
    return [m.state_dict() for m in load_forecaster(prev).members]


def inherited(prev: Bundle) -> tuple[list[dict], dict[str, torch.Tensor]]:
    """Fold metrics and interval quantiles carried over from the previous bundle."""
    folds = prev.meta.get("metrics", {}).get("folds", [])
    tensors = {k: v for k, v in prev.tensors.items() if k.startswith("intervals.")}
    return folds, tensors
