"""The forecaster's ensemble: its network shape, optimiser settings, loss and training."""

from __future__ import annotations

from dataclasses import replace

import torch

from forecaster.config import TrainSettings
from forecaster.data.loading import Frame
from forecaster.data.windows import WindowSet
from forecaster.errors import ConfigError
from forecaster.models.forecaster_net import ForecasterConfig, ForecasterEnsemble, new_forecaster
from forecaster.models.train import Diverged, TrainConfig, fit, masked_mse, member_seed
from forecaster.report import Reporter


def forecaster_loss(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                    w: torch.Tensor) -> torch.Tensor:
    """Masked MSE of the direct multi-horizon forecast."""
    return masked_mse(model(x), y, w)


def model_config(frame: Frame, st: TrainSettings) -> ForecasterConfig:
    """The network's shape for this data and these settings."""
    return ForecasterConfig(n_channels=len(frame.columns), n_targets=len(frame.spec.targets),
                            window=st.window, horizon=st.horizon, segment=st.segment,
                            cell=st.cell, hidden=st.hidden, layers=st.layers,
                            dropout=st.dropout, layer_norm=st.layer_norm, norm=st.norm,
                            embed=st.segment > 1)


def train_config(st: TrainSettings) -> TrainConfig:
    """The optimiser's settings."""
    return TrainConfig(epochs=st.epochs, batch_size=st.batch_size, lr=st.lr,
                       patience=st.patience, seed=st.seed, max_windows=st.max_windows)


def fit_ensemble(frame: Frame, st: TrainSettings, train_set: WindowSet,
                 early: WindowSet | None, device: torch.device,
                 report: Reporter, label: str,
                 fixed_epochs: int | None = None,
                 init: list[dict] | None = None) -> tuple[ForecasterEnsemble, list[int]]:
    """Train ``st.ensemble`` members from the seeds ``member_seed`` gives.

    ``init`` gives starting weights per member (warm start); otherwise each member
    starts from its seed's initialisation.

    Returns:
        The ensemble and each member's best epoch.
    """
    cfg = model_config(frame, st)
    ens, best = ForecasterEnsemble(cfg, st.ensemble), []
    if early is not None and not early.scored():  # fit then trains as without early data
        report.note(f"{label}: no early-stopping window holds an observed target (all are "
                    "filled in, or span a counter's reset); it trains up to --epochs "
                    f"{st.epochs}, stopping when the training loss stalls")
    for m in range(st.ensemble):
        tc = replace(train_config(st), seed=member_seed(st.seed, m))
        name = label if st.ensemble == 1 else f"{label} member {m + 1}/{st.ensemble}"
        with report.epochs(name, fixed_epochs or st.epochs) as hook:
            net = new_forecaster(cfg, tc.seed)
            if init is not None:
                net.load_state_dict(init[m])
            try:
                best.append(fit(net, forecaster_loss, train_set, early, tc, device, hook,
                                fixed_epochs=fixed_epochs).best_epoch)
            except Diverged as exc:
                raise ConfigError(f"{exc}; give a smaller --lr (the default is "
                                  f"{TrainSettings.lr:g}), or check the data for extreme "
                                  "values") from None
        ens.members[m] = net
    return ens.to(device).eval(), best
