"""ETTh1 (F1 protocol) research runs for the forecaster's recurrent model family.

Standalone: only numpy, pandas, torch.  One thread (the box has 2 shared cores).

Model (what the tool implements):
  (B, W, C) -> per-window norm ("last": subtract the window's last value;
  "revin": subtract mean / divide by std of the window, per channel) ->
  split into W/L segments of length L, Linear(L*C, hidden) per segment ->
  stack of 1-layer nn.LSTM / nn.GRU modules (dropout between them) over the
  segments -> last hidden state -> Linear(hidden, horizon*targets) ->
  de-normalise.  L=1 is the classic per-step LSTM.

Protocol (shared/benchmarks/README.md F1): univariate OT, z-score with the
train mean/std; train windows lie entirely in rows [0, 8640); validation =
every window whose 24 targets lie in [8640, 11520) (origins 8640..11496,
stride 1, 2857 windows; inputs may reach back into train rows) - used for early
stopping and for choosing settings; test = origins 11520, 11544, ..., 14376.

Usage:
  python ett_experiments.py run --name base --seeds 0 1 2 [--window 96 --segment 12 ...]
  python ett_experiments.py naive
Every run appends one JSON line to results.jsonl (next to this file).
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

torch.set_num_threads(1)

HERE = Path(__file__).resolve().parent
DATA = Path("/work/shared/data/ett/ETTh1.csv")
TRAIN_END, VAL_END, TEST_END = 8640, 11520, 14400
H = 24
MEAN, STD = 17.128262, 9.176491
RESULTS = HERE / "results.jsonl"


def load_z() -> np.ndarray:
    y = pd.read_csv(DATA, usecols=["OT"])["OT"].to_numpy(np.float64)[:TEST_END]
    m, s = y[:TRAIN_END].mean(), y[:TRAIN_END].std()
    assert abs(m - MEAN) < 1e-4 and abs(s - STD) < 1e-4, (m, s)
    return ((y - m) / s).astype(np.float32)


def windows(z: np.ndarray, origins, w: int):
    o = np.asarray(origins)
    idx_x = o[:, None] + np.arange(-w, 0)[None, :]
    idx_y = o[:, None] + np.arange(H)[None, :]
    return torch.from_numpy(z[idx_x][..., None]), torch.from_numpy(z[idx_y])


def split_origins(w: int):
    train = np.arange(w, TRAIN_END - H + 1)  # input [t-w,t) and target [t,t+H) in train
    val = np.arange(TRAIN_END, VAL_END - H + 1)  # targets inside val
    test = np.arange(VAL_END, TEST_END - H + 1, 24)  # the 120 F1 origins
    return train, val, test


# ------------------------------------------------------------------ model ---
class SegmentRNN(nn.Module):
    def __init__(self, window, channels=1, targets=1, horizon=H, segment=12, hidden=64,
                 layers=2, cell="lstm", dropout=0.0, norm="last"):
        super().__init__()
        assert window % segment == 0
        self.window, self.segment, self.channels = window, segment, channels
        self.targets, self.horizon, self.norm = targets, horizon, norm
        self.embed = nn.Linear(segment * channels, hidden)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnns = nn.ModuleList(rnn(hidden, hidden, batch_first=True) for _ in range(layers))
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, horizon * targets)
        self._init(cell, hidden)

    def _init(self, cell, h):
        gates = 4 if cell == "lstm" else 3
        for r in self.rnns:
            for name, p in r.named_parameters():
                if name.startswith("weight_ih"):
                    for g in range(gates):
                        nn.init.xavier_uniform_(p.data[g * h:(g + 1) * h])
                elif name.startswith("weight_hh"):
                    for g in range(gates):
                        nn.init.orthogonal_(p.data[g * h:(g + 1) * h])
                elif name.startswith("bias"):
                    p.data.zero_()
                    if cell == "lstm" and name.startswith("bias_ih"):
                        p.data[h:2 * h] = 1.0  # forget gate
        # (GRU: no forget gate; biases zero)

    def forward(self, x):  # x (B, W, C); targets are the first `targets` channels
        if self.norm == "last":
            loc = x[:, -1:, :]
            scale = torch.ones_like(loc)
        elif self.norm == "revin":
            loc = x.mean(1, keepdim=True)
            scale = x.std(1, keepdim=True, unbiased=False) + 1e-5
        else:
            loc, scale = torch.zeros_like(x[:, -1:, :]), torch.ones_like(x[:, -1:, :])
        xn = (x - loc) / scale
        b = x.shape[0]
        seg = xn.reshape(b, self.window // self.segment, self.segment * self.channels)
        h = self.embed(seg)
        for i, r in enumerate(self.rnns):
            if i:
                h = self.drop(h)
            h, _ = r(h)
        out = self.head(h[:, -1]).view(b, self.horizon, self.targets)
        out = out * scale[:, :, :self.targets] + loc[:, :, :self.targets]
        return out.squeeze(-1) if self.targets == 1 else out


# --------------------------------------------------------------- training ---
def predict(model, x, bs=2048):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + bs]) for i in range(0, len(x), bs)])


def train_one(cfg, seed, data):
    torch.manual_seed(seed)
    np.random.seed(seed)
    (xtr, ytr), (xva, yva) = data["train"], data["val"]
    model = SegmentRNN(cfg["window"], segment=cfg["segment"], hidden=cfg["hidden"],
                       layers=cfg["layers"], cell=cfg["cell"], dropout=cfg["dropout"],
                       norm=cfg["norm"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    lossf = {"mse": nn.MSELoss(), "huber": nn.HuberLoss(delta=cfg.get("huber_delta", 0.1)),
             "mae": nn.L1Loss()}[cfg["loss"]]
    g = torch.Generator().manual_seed(seed)
    best, best_state, bad, epochs_run = math.inf, None, 0, 0
    t0 = time.perf_counter()
    n, bs = len(xtr), cfg["batch"]
    for ep in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, bs):
            j = perm[i:i + bs]
            opt.zero_grad(set_to_none=True)
            loss = lossf(model(xtr[j]), ytr[j])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        epochs_run = ep + 1
        vl = float(((predict(model, xva) - yva) ** 2).mean())  # early stop on val MSE
        if vl < best - 1e-6:
            best, bad = vl, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= cfg["patience"]:
                break
    model.load_state_dict(best_state)
    return model, time.perf_counter() - t0, epochs_run


def coverage(val_res, pred_test, y_test):
    """90% interval: per-step 5%/95% quantiles of signed validation residuals (y - yhat)."""
    lo = np.quantile(val_res, 0.05, axis=0)
    hi = np.quantile(val_res, 0.95, axis=0)
    inside = (y_test >= pred_test + lo) & (y_test <= pred_test + hi)
    return float(inside.mean()), inside.mean(0).round(3).tolist(), float((hi - lo).mean())


DEFAULTS = dict(window=96, segment=12, hidden=64, layers=2, cell="lstm", dropout=0.0,
                norm="last", batch=128, lr=2e-3, epochs=30, patience=4, loss="mse",
                ensemble=1)


def run(cfg, seeds, name, do_cov=False):
    z = load_z()
    tr, va, te = split_origins(cfg["window"])
    data = {"train": windows(z, tr, cfg["window"]), "val": windows(z, va, cfg["window"]),
            "test": windows(z, te, cfg["window"])}
    per_seed = []
    k = cfg["ensemble"]
    for s in seeds:
        preds_v, preds_t, secs, eps = [], [], 0.0, []
        for m in range(k):
            model, sec, ep = train_one(cfg, s * 1000 + m if k > 1 else s, data)
            preds_v.append(predict(model, data["val"][0]))
            preds_t.append(predict(model, data["test"][0]))
            secs += sec
            eps.append(ep)
        pv = torch.stack(preds_v).mean(0)
        pt = torch.stack(preds_t).mean(0)
        rec = dict(seed=s, val=float(((pv - data["val"][1]) ** 2).mean()),
                   test=float(((pt - data["test"][1]) ** 2).mean()),
                   test_mae=float((pt - data["test"][1]).abs().mean()),
                   train_s=round(secs, 1), epochs=eps)
        if do_cov:
            res = (data["val"][1] - pv).numpy()
            c, c_step, width = coverage(res, pt.numpy(), data["test"][1].numpy())
            rec.update(cov90=c, cov90_by_step=c_step, width_z=width)
        print(name, rec, flush=True)
        per_seed.append(rec)
    out = dict(name=name, cfg=cfg, seeds=list(seeds), runs=per_seed,
               val_mean=float(np.mean([r["val"] for r in per_seed])),
               val_sd=float(np.std([r["val"] for r in per_seed])),
               test_mean=float(np.mean([r["test"] for r in per_seed])),
               test_sd=float(np.std([r["test"] for r in per_seed])),
               train_s_mean=float(np.mean([r["train_s"] for r in per_seed])))
    with open(RESULTS, "a") as f:
        f.write(json.dumps(out) + "\n")
    print(f"== {name}: val {out['val_mean']:.5f}±{out['val_sd']:.5f} test "
          f"{out['test_mean']:.5f}±{out['test_sd']:.5f} train {out['train_s_mean']:.1f}s",
          flush=True)
    return out


def naive():
    z = load_z()
    _, va, te = split_origins(96)
    for nm, o in (("val", va), ("test", te)):
        x, y = windows(z, o, 96)
        print(nm, "naive z-MSE", float(((x[:, -1, :] - y) ** 2).mean()))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("naive")
    r = sub.add_parser("run")
    r.add_argument("--name", required=True)
    r.add_argument("--seeds", type=int, nargs="+", default=[0])
    r.add_argument("--coverage", action="store_true")
    for k, v in DEFAULTS.items():
        r.add_argument("--" + k, type=type(v), default=v)
    r.add_argument("--huber_delta", type=float, default=0.1)
    a = p.parse_args()
    if a.cmd == "naive":
        return naive()
    cfg = {k: getattr(a, k) for k in DEFAULTS}
    if cfg["loss"] == "huber":
        cfg["huber_delta"] = a.huber_delta
    run(cfg, a.seeds, a.name, a.coverage)


if __name__ == "__main__":
    main()
