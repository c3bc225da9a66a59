"""One training loop for every network: it sees batches and a loss, nothing else."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from torch import nn

from forecaster.data.windows import WindowSet
from forecaster.errors import ConfigError

# An epoch takes at least this many optimiser steps: with a full batch, a short file
# (airline's 100 windows) had one step per epoch, and early stopping ended its fits
# after a handful of steps, below seasonal naive.
MIN_STEPS = 8

LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
EpochHook = Callable[[int, float, float], None]


@dataclass
class TrainConfig:
    """Optimisation settings; saved in the bundle.

    The defaults are ``forecast train``'s for the forecaster (``config.TrainSettings``); the
    anomaly model passes its own (``pipeline.anomaly_fit.anomaly_train_config``).

    Attributes:
        epochs: most passes over the training windows.
        batch_size: windows per step.
        lr: Adam learning rate.
        patience: epochs without validation improvement before stopping.
        clip: gradient norm clipping.
        weight_decay: Adam weight decay.
        seed: seeds Python, NumPy and torch.
        max_windows: windows drawn per epoch at most (random subset), to bound
            epoch time on long files; early stopping looks at as many at most, evenly
            spaced over its windows.
    """

    epochs: int = 30
    batch_size: int = 256
    lr: float = 4e-3
    patience: int = 4
    clip: float = 1.0
    weight_decay: float = 0.0
    seed: int = 0
    max_windows: int = 20000

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return asdict(self)


class Diverged(ConfigError):
    """The training loss became NaN or infinite: steps too large for the data.

    The caller knows which option sets the learning rate of the network it trains and
    adds that advice.
    """


@dataclass
class History:
    """What a fit did: losses per epoch and the epoch whose weights were kept."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = 0


def seed_everything(seed: int) -> torch.Generator:
    """Seed every generator a fit uses and return a torch one for shuffling."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def member_seed(seed: int, member: int) -> int:
    """Member 0 starts from ``seed`` itself, the others from seeds drawn from (seed, member).

    ``seed + member`` gave ``--seed 1`` two of ``--seed 0``'s three members, so runs over
    consecutive seeds understated how much a result moves with the seed.
    """
    if member == 0:
        return seed
    return int(np.random.SeedSequence([seed, member]).generate_state(1)[0])


def masked_mse(pred: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Mean squared error over observed targets only: filled-in values teach nothing."""
    return ((pred - y) ** 2 * w).sum() / w.sum().clamp_min(1.0)


def fit(model: nn.Module, loss_fn: LossFn, train: WindowSet, val: WindowSet | None,
        cfg: TrainConfig, device: torch.device, on_epoch: EpochHook | None = None,
        fixed_epochs: int | None = None) -> History:
    """Train ``model`` in place with Adam, clipping and early stopping.

    Args:
        model: any module; ``loss_fn(model, x, y, w)`` gives its loss.
        loss_fn: loss of one batch.
        train: training windows.
        val: early-stopping windows, or None to train ``fixed_epochs`` (without
            ``fixed_epochs``: up to ``cfg.epochs``, stopping when the training loss stalls).
            A set without one observed target counts as None.
        cfg: optimisation settings.
        device: where to train.
        on_epoch: called with (epoch, train loss, val loss) after each epoch.
        fixed_epochs: train exactly this many epochs (no early stopping).

    Returns:
        The history; the model holds the weights of ``best_epoch``.
    """
    gen = seed_everything(cfg.seed)
    val = evenly(_scored(val), cfg.max_windows)
    model.to(device)
    train, val = train.to(device), (val.to(device) if val is not None else None)
    opt = _adam(model, cfg)
    hist, best = History(), _Best()
    for epoch in range(1, (fixed_epochs or cfg.epochs) + 1):
        tr = _train_epoch(model, loss_fn, train, cfg, opt, gen)
        vl = evaluate(model, loss_fn, val, cfg.batch_size * 4) if val is not None else tr
        _record(hist, on_epoch, epoch, tr, vl, val is not None)
        if best.improved(model, vl):
            hist.best_epoch = epoch
        elif fixed_epochs is None and best.stale >= cfg.patience:
            break
    if best.state is not None and fixed_epochs is None:
        model.load_state_dict(best.state)
    if fixed_epochs is not None:
        hist.best_epoch = fixed_epochs
    model.eval()
    return hist


@dataclass
class _Best:
    """The best validation loss so far, the weights that gave it, and epochs since."""

    loss: float = math.inf
    state: dict[str, torch.Tensor] | None = None
    stale: int = 0

    def improved(self, model: nn.Module, vl: float) -> bool:
        """Keep ``model``'s weights when ``vl`` beats the best; count a stale epoch if not."""
        if self.state is None or vl < self.loss - 1e-7:  # NaN (vl or best): never better
            self.loss, self.stale = vl, 0
            # A detached copy of each tensor: a deepcopy of the state dict walked every
            # tensor's Python object graph at each improvement.
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            return True
        self.stale += 1
        return False


def _scored(val: WindowSet | None) -> WindowSet | None:
    """The early-stopping windows, or None when not one of their targets is observed."""
    if val is not None and not val.scored():
        # Every window masked out (or none at all) scores 0 at epoch 1, a loss no later
        # epoch beats: early stopping then kept epoch 1. Train as with no such data.
        return None
    return val


def evenly(data: WindowSet | None, most: int) -> WindowSet | None:
    """At most ``most`` of ``data``'s windows, evenly spaced over it (all where fewer).

    Early stopping judges an epoch of at most ``max_windows`` windows on as many: on UCI's
    household power file (2 million rows) the loss of a fold's 150,000 held-back windows
    cost twice the epoch it judged.
    """
    if data is None or len(data) <= most:
        return data
    keep = np.unique(np.linspace(0, len(data) - 1, most).round().astype(np.int64))
    return replace(data, starts=data.starts[torch.from_numpy(keep).to(data.starts.device)])


def _adam(model: nn.Module, cfg: TrainConfig) -> torch.optim.Adam:
    """Adam over ``model``'s parameters with ``cfg``'s rate and decay."""
    # foreach: one multi-tensor update instead of a Python loop over the parameters; the
    # same arithmetic (identical losses), ~10 % less wall time for the default network.
    return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay,
                            foreach=True)


def _record(hist: History, on_epoch: EpochHook | None, epoch: int, tr: float, vl: float,
            validated: bool) -> None:
    """Append an epoch's losses to ``hist`` and tell ``on_epoch`` (NaN when unvalidated)."""
    hist.train_loss.append(tr)
    hist.val_loss.append(vl)
    if on_epoch:
        on_epoch(epoch, tr, vl if validated else math.nan)


def _train_epoch(model: nn.Module, loss_fn: LossFn, data: WindowSet, cfg: TrainConfig,
                 opt: torch.optim.Optimizer, gen: torch.Generator) -> float:
    model.train()
    order = torch.randperm(len(data), generator=gen)[: cfg.max_windows].to(data.starts.device)
    total, count = 0.0, 0
    size = min(cfg.batch_size, max(1, math.ceil(len(order) / MIN_STEPS)))
    for i in range(0, len(order), size):
        x, y, w = data.batch(order[i:i + size])
        loss = loss_fn(model, x, y, w)
        if not torch.isfinite(loss):
            # A user's setting, not a bug: the steps outgrew the float range.
            raise Diverged(f"training diverged: the loss became NaN or infinite at "
                           f"learning rate {cfg.lr:g}")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        opt.step()
        total += float(loss.detach()) * len(x)
        count += len(x)
    return total / max(count, 1)


@torch.inference_mode()
def evaluate(model: nn.Module, loss_fn: LossFn, data: WindowSet, batch_size: int) -> float:
    """Mean loss over all windows of ``data`` (weighted by batch size)."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(data), batch_size):
        idx = torch.arange(i, min(i + batch_size, len(data)), device=data.starts.device)
        x, y, w = data.batch(idx)
        total += float(loss_fn(model, x, y, w)) * len(idx)
        count += len(idx)
    return total / max(count, 1)


@torch.inference_mode()
def predict_batches(model: nn.Module, data: WindowSet, batch_size: int = 1024) -> torch.Tensor:
    """Run ``model`` over every window of ``data``; returns the outputs concatenated on CPU."""
    model.eval()
    outs = []
    for i in range(0, len(data), batch_size):
        idx = torch.arange(i, min(i + batch_size, len(data)), device=data.starts.device)
        x, _, _ = data.batch(idx)
        outs.append(model(x).float().cpu())
    return torch.cat(outs) if outs else torch.empty(0)
