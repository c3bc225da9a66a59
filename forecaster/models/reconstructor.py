"""The anomaly model: a recurrent (GRU or LSTM) encoder-decoder that reconstructs windows.

The encoder reads the window (values and the observed mask) in segments, its
final state is squeezed through a small latent layer, and a stacked decoder
unrolls that code back into the window. The bottleneck is what makes
reconstruction error meaningful: a code of ``latent`` numbers can hold the
normal shape of a window but not an arbitrary fault.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from forecaster.models.forecaster_net import check_segments, window_stats
from forecaster.models.rnn import StackedRNN
from forecaster.models.train import masked_mse

# Robust spreads (1.4826 x median absolute deviation) from the window's median beyond which a
# value is pulled in before the mean and std are taken. Six: on generated random walks
# (24-140 steps) 0.5 % of ordinary windows reach it, and a seasonal or linear window never
# does, so their stats stay as they were; a price x10 for one day lies hundreds out.
CLIP_SPREADS = 6.0


@dataclass
class ReconstructorConfig:
    """Shape of the reconstruction network; saved in the bundle.

    Attributes:
        n_channels: value channels reconstructed (targets then features).
        window: steps per window.
        segment: steps per recurrent step (divides ``window``).
        cell: "lstm" or "gru", as for the forecaster.
        hidden: units per layer.
        layers: stacked layers in the encoder and in the decoder.
        latent: size of the code between encoder and decoder.
        dropout: between layers only.
        layer_norm: layer norm between layers.
        bidirectional: run the encoder both ways.
        norm: per-window normalisation, undone at the output: "none" (the
            network sees levels, so a level far from the usual shows), "revin"
            (window mean over std: shapes only, so a trend or a level the training
            data never reached reconstructs as well as the usual ones).
        norm_channels: with "revin", the channels normalised (those that trend, as
            ``--anomaly-norm auto`` settles it); None: every channel. A drifting
            thermocouple beside steady pumps made every channel shape-only, and a pump
            stuck at a level it never held scored as normal.
    """

    n_channels: int
    window: int = 64
    segment: int = 4
    cell: str = "lstm"
    hidden: int = 32
    layers: int = 1
    latent: int = 16
    dropout: float = 0.0
    layer_norm: bool = False
    bidirectional: bool = False
    norm: str = "none"
    norm_channels: list[int] | None = None

    def __post_init__(self) -> None:
        check_segments(self.window, self.segment)

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return asdict(self)


class Reconstructor(nn.Module):
    """(batch, window, channels + 1 mask) -> (batch, window, channels)."""

    def __init__(self, cfg: ReconstructorConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.steps = cfg.window // cfg.segment
        self.embed = nn.Linear(cfg.segment * (cfg.n_channels + 1), cfg.hidden)
        self.encoder = StackedRNN(cfg.hidden, cfg.hidden, cfg.layers, cfg.cell, cfg.dropout,
                                  cfg.layer_norm, bidirectional=cfg.bidirectional)
        self.to_code = nn.Linear(self.encoder.out_features, cfg.latent)
        # Where in the window a decoder step is: the repeated code alone is the same at
        # every step, and an LSTM would have to count to place the daily peak.
        self.position = nn.Parameter(torch.zeros(self.steps, cfg.hidden))
        self.from_code = nn.Linear(cfg.latent, cfg.hidden)
        self.decoder = StackedRNN(cfg.hidden, cfg.hidden, cfg.layers, cfg.cell, cfg.dropout,
                                  cfg.layer_norm)
        self.head = nn.Linear(cfg.hidden, cfg.segment * cfg.n_channels)
        # A plain list, not a buffer: bundles are restored on the meta device, where a
        # buffer missing from the state dict (bundles from before norm_channels) stays.
        self.kept_level = [] if cfg.norm_channels is None else [
            c for c in range(cfg.n_channels) if c not in cfg.norm_channels]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruct the value channels of each window."""
        cfg = self.cfg
        b, ch = x.shape[0], cfg.n_channels
        if cfg.norm != "none":  # "none" (the default) leaves the hot path as it was
            loc, scale = robust_window_stats(x[..., :ch], x[..., ch:])  # (batch, 1, ch)
            if self.kept_level:  # channels left out keep their level: loc 0, scale 1
                loc, scale = loc.clone(), scale.clone()
                loc[..., self.kept_level], scale[..., self.kept_level] = 0.0, 1.0
            x = torch.cat([(x[..., :ch] - loc) / scale, x[..., ch:]], dim=-1)  # (b, window, ch + 1)
        segs = x.reshape(b, self.steps, -1)  # (batch, steps, segment * (channels + 1))
        h = self.encoder(torch.relu(self.embed(segs)))  # (batch, steps, width)
        code = torch.tanh(self.to_code(_summary(h, cfg.bidirectional, cfg.hidden)))  # (b, latent)
        z = self.from_code(code)[:, None, :] + self.position[None]  # (batch, steps, hidden)
        out = self.head(self.decoder(torch.relu(z)))  # (batch, steps, segment * channels)
        out = out.reshape(b, cfg.window, ch)  # (batch, window, channels)
        return out if cfg.norm == "none" else out * scale + loc


def new_reconstructor(cfg: ReconstructorConfig, seed: int) -> Reconstructor:
    """A freshly initialised network whose weights depend on ``seed`` only (not on how
    many networks were built before it in the process, such as the forecaster's members)."""
    torch.manual_seed(seed)
    return Reconstructor(cfg)


def robust_window_stats(values: torch.Tensor,
                        mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and std of each window (as ``window_stats`` "revin") after winsorising.

    A value x10 for one step inflated the mean and std of every window holding it, so
    all the window's other steps reconstructed badly: a 1,258-day price with one tick
    x10 flagged 62 days around it. Values further than ``CLIP_SPREADS`` robust spreads
    from the median are pulled to that bound first; filled-in steps count in neither.
    """
    observed = torch.where(mask > 0.5, values, torch.nan)  # (batch, window, channels)
    med = _nan_median(observed, values)  # (batch, 1, channels)
    dev = _nan_median((observed - med).abs(), (values - med).abs())  # (batch, 1, channels)
    # The floor matches window_stats' 1e-2 on the std: flat windows clip to a band, not a point.
    bound = CLIP_SPREADS * (1.4826 * dev + 1e-2)  # (batch, 1, channels)
    clipped = torch.minimum(torch.maximum(values, med - bound), med + bound)  # (b, window, ch)
    return window_stats(clipped, mask, "revin")


def _nan_median(observed: torch.Tensor, every: torch.Tensor) -> torch.Tensor:
    """Median over steps of the observed values; of all of them where none is observed."""
    med = observed.nanmedian(1, keepdim=True).values  # (batch, 1, channels)
    return torch.where(med.isnan(), every.median(1, keepdim=True).values, med)


def _summary(h: torch.Tensor, bidirectional: bool, hidden: int) -> torch.Tensor:
    """The encoder's view of the whole window: the last step forwards (and, when
    bidirectional, the first step of the backward pass, which has read everything)."""
    if not bidirectional:
        return h[:, -1]
    return torch.cat([h[:, -1, :hidden], h[:, 0, hidden:]], dim=-1)


def reconstruction_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                        w: torch.Tensor) -> torch.Tensor:
    """Masked MSE of the reconstruction: filled-in steps teach nothing."""
    return masked_mse(model(x), y, w)
