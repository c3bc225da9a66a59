"""The forecaster: per-window normalisation, segment embedding, stacked RNN, direct head."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from forecaster.data.resets import RESET_STEPS
from forecaster.models.rnn import StackedRNN

# A channel is a counter in a window where at most this share of its changes go against
# the window's median change (a random walk sends about half of them each way).
COUNTER_AGAINST = 0.1


def check_segments(window: int, segment: int) -> None:
    """Refuse a window that is no whole number of segments: the networks read
    window/segment steps of one segment each, and such a window (a bundle edited by hand)
    would fail only in the forward pass."""
    if segment < 1 or window % segment:
        raise ValueError(f"window {window} is no whole number of segments of {segment}")


@dataclass
class ForecasterConfig:
    """Shape and kind of the forecasting network; saved in the bundle.

    Attributes:
        n_channels: value channels in (targets first, then features).
        n_targets: channels forecast.
        window: input steps.
        horizon: steps forecast at once (direct multi-horizon output).
        segment: steps per recurrent input; the RNN runs window/segment steps.
        cell: "lstm" or "gru".
        hidden: units per layer.
        layers: stacked layers.
        dropout: between layers only.
        layer_norm: layer norm on each layer's outputs (the last layer's too).
        norm: per-window normalisation: "last" subtracts the last value,
            "revin" the window mean over its std; both are undone at the output,
            so levels outside the training range are forecast at their level.
            "diff" reads each step's change over the window's mean absolute change
            and forecasts the changes, summed onto the last value: for counters,
            whose steps are small against their level (a reset in the window reads
            as a typical change: ``without_resets``). "none" feeds the scaled
            window as it is.
        embed: a linear + ReLU embedding of each segment before the RNN. Off, the
            RNN reads each step's values and mask directly: per-step input
            (segment 1) then costs what a plain LSTM over the values costs.
            Bundles saved before this field existed had it on.
    """

    n_channels: int
    n_targets: int
    window: int = 96
    horizon: int = 24
    segment: int = 12
    cell: str = "lstm"
    hidden: int = 64
    layers: int = 2
    dropout: float = 0.1
    layer_norm: bool = False
    norm: str = "last"
    embed: bool = True

    def __post_init__(self) -> None:
        check_segments(self.window, self.segment)

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return asdict(self)


class ForecasterNet(nn.Module):
    """(batch, window, channels + 1 mask) -> (batch, horizon, targets)."""

    def __init__(self, cfg: ForecasterConfig) -> None:
        super().__init__()
        self.cfg = cfg
        n_in = cfg.segment * (cfg.n_channels + 1)
        self.embed = nn.Linear(n_in, cfg.hidden) if cfg.embed else None
        self.rnn = StackedRNN(cfg.hidden if cfg.embed else n_in, cfg.hidden, cfg.layers,
                              cfg.cell, cfg.dropout, cfg.layer_norm)
        self.head = nn.Linear(self.rnn.out_features, cfg.horizon * cfg.n_targets)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forecast the next ``horizon`` steps of each window."""
        cfg = self.cfg
        values, mask = x[..., :cfg.n_channels], x[..., cfg.n_channels:]  # (batch, window, ch)
        if cfg.norm == "diff":
            return self._diff_forward(values, mask)
        loc, scale = window_stats(values, mask, cfg.norm)  # (batch, 1, channels) each
        z = torch.cat([(values - loc) / scale, mask], dim=-1)  # (batch, window, ch + 1)
        out = self._core(z)  # (batch, horizon, targets), in units of each window's scale
        k = cfg.n_targets
        return out * scale[..., :k] + loc[..., :k]

    def _diff_forward(self, values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        k = self.cfg.n_targets
        d = torch.diff(values, dim=1, prepend=values[:, :1])  # (batch, window, channels)
        d = without_resets(d)
        scale = d.abs().mean(1, keepdim=True) + 1e-4  # (batch, 1, channels)
        z = torch.cat([d / scale, mask], dim=-1)  # (batch, window, ch + 1)
        steps = self._core(z)  # (batch, horizon, targets): each step's change
        return steps.cumsum(1) * scale[..., :k] + values[:, -1:, :k]

    def _core(self, z: torch.Tensor) -> torch.Tensor:
        cfg = self.cfg
        b = z.shape[0]
        segs = z.reshape(b, cfg.window // cfg.segment, -1)  # (batch, segments, segment*(ch+1))
        if self.embed is not None:
            segs = torch.relu(self.embed(segs))  # (batch, segments, hidden)
        h = self.rnn(segs)[:, -1]  # (batch, hidden)
        return self.head(h).view(b, cfg.horizon, cfg.n_targets)  # (batch, horizon, targets)


def without_resets(d: torch.Tensor) -> torch.Tensor:
    """Each window's step changes, a counter's resets read as the window's median change.

    A reset (a restart sets a count back to 0) is one change thousands of steps large. Left
    in, it made the window's scale (its mean absolute change) several times the counter's
    rate for a whole window's length after it, and the forecast rose that much faster.
    The rule is training's (``forecaster.data.resets``: a change against the counter's
    direction of more than ``RESET_STEPS`` typical changes), judged within each window,
    so training, validation, predict and backtest read a window alike; a window without a
    reset, and any channel that is no counter there, is left exactly as it was.

    Args:
        d: (batch, window, channels) one-step changes.

    Returns:
        ``d`` with each reset replaced by its window's median change in that channel.
    """
    med = d.median(1, keepdim=True).values  # (batch, 1, channels)
    typical = d.abs().median(1, keepdim=True).values  # (batch, 1, channels)
    against = -torch.sign(med) * d  # > 0 where a change goes against the window's direction
    counter = (against > 0).float().mean(1, keepdim=True) <= COUNTER_AGAINST  # (b, 1, ch)
    reset = (against > RESET_STEPS * typical) & counter & (typical > 0)
    return torch.where(reset, med, d)


def window_stats(values: torch.Tensor, mask: torch.Tensor,
                 norm: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Location and scale of each window, over observed steps where it matters."""
    if norm == "none":
        zero = values.new_zeros(values.shape[0], 1, values.shape[2])  # (batch, 1, channels)
        return zero, torch.ones_like(zero)
    if norm == "last":
        return values[:, -1:], torch.ones_like(values[:, -1:])
    # Filled-in steps weigh almost nothing; a window all filled in still has a mean.
    w = mask.clamp_min(1e-3)  # (batch, window, channels)
    loc = (values * w).sum(1, keepdim=True) / w.sum(1, keepdim=True)  # (batch, 1, channels)
    var = ((values - loc) ** 2 * w).sum(1, keepdim=True) / w.sum(1, keepdim=True)  # (b, 1, ch)
    # The floor keeps flat windows (a constant series) from dividing by zero.
    return loc, torch.sqrt(var + 1e-4)


def new_forecaster(cfg: ForecasterConfig, seed: int) -> ForecasterNet:
    """A freshly initialised network whose weights depend on ``seed`` only."""
    torch.manual_seed(seed)
    return ForecasterNet(cfg)


class ForecasterEnsemble(nn.Module):
    """Members of one config trained from different seeds; the forecast is their mean.

    Averaging a few members removes most of the seed-to-seed spread of a single
    network (benchmarks/RESULTS-accuracy.md).
    """

    def __init__(self, cfg: ForecasterConfig, n_members: int) -> None:
        super().__init__()
        self.cfg = cfg
        self.members = nn.ModuleList(ForecasterNet(cfg) for _ in range(n_members))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Mean forecast of the members: (batch, horizon, targets)."""
        return torch.stack([m(x) for m in self.members]).mean(0)
