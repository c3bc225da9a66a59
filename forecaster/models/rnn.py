"""A stacked recurrent core shared by the forecaster and the reconstruction model."""

from __future__ import annotations

import torch
from torch import nn

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class StackedRNN(nn.Module):
    """Single-layer cells stacked by hand, so that dropout sits *between* layers and layer
    norm on each layer's outputs, never on the recurrent path, while each layer keeps its
    fused kernel.

    Args:
        n_in: input features per step.
        hidden: units per layer (per direction).
        layers: number of stacked layers.
        cell: "lstm" or "gru".
        dropout: dropout between layers.
        layer_norm: normalise each layer's outputs.
        bidirectional: run each layer both ways.
    """

    def __init__(self, n_in: int, hidden: int, layers: int, cell: str = "lstm",
                 dropout: float = 0.0, layer_norm: bool = False,
                 bidirectional: bool = False) -> None:
        super().__init__()
        width = hidden * (2 if bidirectional else 1)
        self.cells = nn.ModuleList(
            CELLS[cell](n_in if i == 0 else width, hidden, batch_first=True,
                        bidirectional=bidirectional)
            for i in range(layers)
        )
        self.norms = nn.ModuleList(
            nn.LayerNorm(width) if layer_norm else nn.Identity() for _ in range(layers))
        self.drop = nn.Dropout(dropout)
        self.out_features = width
        for rnn in self.cells:
            init_recurrent(rnn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map (batch, steps, n_in) to the last layer's outputs (batch, steps, width)."""
        for i, (rnn, norm) in enumerate(zip(self.cells, self.norms, strict=True)):
            if i:
                x = self.drop(x)
            x, _ = rnn(x)  # (batch, steps, width)
            x = norm(x)
        return x


def init_recurrent(rnn: nn.RNNBase) -> None:
    """The settled recipe: xavier input weights, orthogonal recurrent weights per gate,
    zero biases, and a forget-gate bias of 1 so that gradients flow early in training."""
    gates = 4 if isinstance(rnn, nn.LSTM) else 3
    h = rnn.hidden_size
    for name, p in rnn.named_parameters():
        if name.startswith("weight_ih"):
            for g in range(gates):
                nn.init.xavier_uniform_(p.data[g * h:(g + 1) * h])
        elif name.startswith("weight_hh"):
            for g in range(gates):
                nn.init.orthogonal_(p.data[g * h:(g + 1) * h])
        elif name.startswith("bias"):
            p.data.zero_()
            # PyTorch adds bias_ih and bias_hh; put the 1 in one of them only.
            if gates == 4 and name.startswith("bias_ih"):
                p.data[h:2 * h] = 1.0
