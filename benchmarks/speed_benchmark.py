"""Speed of `forecast` against yardsticks measured in the same run (issue 6).

Every figure is a ratio to a yardstick timed in the same run, A B A B interleaved, median of
``--repeats`` pairs: these machines are shared and their speed drifts. Each timed unit runs
in a fresh Python process; wall time is taken around it with ``time.perf_counter`` and its
peak RSS comes from ``os.wait4`` (the child's own ``ru_maxrss``).

Sections (pick with flags; none = all):
  --train     ETTh1 like-for-like (window 96, horizon 24, 2 LSTM layers of 64, batch 32,
              lr 1e-3, 10 epochs = 2,670 steps): a bare torch.nn.LSTM loop (the yardstick)
              against the tool's fit() with per-step input (segment 1, the same recurrent
              work) and with its segment input (segment 24); achieved GFLOP/s against a
              float32 matmul ceiling measured in the same run.
  --accuracy  time to accuracy with the tool's defaults (F1 protocol, seed 0): train
              seconds and test z-MSE, against the bare loop's 2,670 steps.
  --startup   `forecast --help` and `forecast predict` (saved bundle, 10,000-row CSV)
              against `python -c "import torch"` (and torch + pandas, the floor).
  --detect    detect-anomalies on 1,000,000 rows x 1 series and 1,000 series x 5,000 rows
              (generated under --scratch): wall time and peak RSS against loading the same
              file only.
  --load      loading a 2,075,259-row file in UCI's household power layout (Date;Time) and
              a 1,000,000-row ISO file: the tool's reader and checks against
              pandas.read_csv of the same file and pd.to_datetime of its times.
  --backtest  --refit never over 100 origins: the one batched forward pass over all origins
              against 100 one-origin passes.

Usage:
  python benchmarks/speed_benchmark.py --repeats 3 [--train] [--accuracy] [--startup]
      [--detect] [--load] [--backtest] [--steps 2670] [--threads 1] [--scratch /tmp/forecast-speed]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ETT = Path(__file__).resolve().parents[2] / "shared" / "data" / "ett" / "ETTh1.csv"
MEAN, STD = 17.128262, 9.176491
PEERS = {"fastest peer (Darts BlockRNN + RevIN)": 68.7, "bare torch.nn.LSTM loop": 74.0,
         "Darts BlockRNNModel LSTM": 73.0, "NeuralForecast LSTM": 79.1}


# --------------------------------------------------------------------------- children
# Each child prints one JSON line on stdout; the parent times the whole process.

def child_train(kind: str, steps: int, segment: int) -> dict:
    """One like-for-like training run: 'bare' or 'ours'; returns the loop's seconds."""
    import numpy as np
    import pandas as pd
    import torch
    from torch import nn

    ot = pd.read_csv(ETT, nrows=8640)["OT"].to_numpy(np.float64)
    z = ((ot - MEAN) / STD).astype(np.float32)[:, None]
    starts = np.arange(0, 8640 - 96 - 24 + 1)
    per_epoch = -(-len(starts) // 32)
    epochs = -(-steps // per_epoch)
    if kind == "bare":
        torch.manual_seed(42)
        x = torch.from_numpy(np.stack([z[s:s + 96] for s in starts]))
        y = torch.from_numpy(np.stack([z[s + 96:s + 120, 0] for s in starts]))
        lstm, head = nn.LSTM(1, 64, 2, batch_first=True), nn.Linear(64, 24)
        opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-3)
        gen, done = torch.Generator().manual_seed(42), 0
        t0 = time.perf_counter()
        for _ in range(epochs):
            perm = torch.randperm(len(x), generator=gen)
            for i in range(0, len(x), 32):
                if done == steps:
                    break
                idx = perm[i:i + 32]
                out, _ = lstm(x[idx])
                loss = nn.functional.mse_loss(head(out[:, -1]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                done += 1
        return {"seconds": time.perf_counter() - t0, "steps": done,
                "flop_per_step": lstm_flops(1, 96, 1, 24) * 32 * 3}
    from forecaster.data.windows import assemble
    from forecaster.models.forecaster_net import ForecasterConfig, new_forecaster
    from forecaster.models.train import TrainConfig, fit
    from forecaster.pipeline.ensemble import forecaster_loss

    data = assemble([(z, np.ones_like(z, dtype=bool), starts)], 1, 96, 24)
    cfg = ForecasterConfig(n_channels=1, n_targets=1, window=96, horizon=24, segment=segment,
                           cell="lstm", hidden=64, layers=2, dropout=0.0, embed=segment > 1)
    net = new_forecaster(cfg, 42)
    # Whole epochs when ``steps`` is a multiple of an epoch, else one partial epoch.
    full = steps // per_epoch if steps % per_epoch == 0 else 1
    tc = TrainConfig(epochs=full, batch_size=32, lr=1e-3, seed=42,
                     max_windows=len(starts) if steps % per_epoch == 0 else steps * 32)
    t0 = time.perf_counter()
    fit(net, forecaster_loss, data, None, tc, torch.device("cpu"), fixed_epochs=full)
    done = full * -(-min(tc.max_windows, len(starts)) // 32)
    return {"seconds": time.perf_counter() - t0, "steps": done,
            "flop_per_step": lstm_flops(2 * segment, 96 // segment, segment, 24) * 32 * 3}


def lstm_flops(n_in: int, steps: int, segment: int, horizon: int, hidden: int = 64) -> int:
    """Forward multiply-adds x 2 of one window (2 LSTM layers, embedding, head).

    Bare loop: LSTM(1 -> 64) then LSTM(64 -> 64). Ours at segment 1: LSTM(value and
    mask -> 64), LSTM(64 -> 64); with segments: Linear(segment x 2 -> 64) per step, then
    two LSTM(64 -> 64). Training costs about 3x the forward pass.
    """
    g = 4 * hidden
    if segment == 1:  # no embedding: the first layer reads n_in values per step
        per_step = 2 * g * (n_in + hidden) + 2 * g * (2 * hidden)
    else:
        per_step = 2 * n_in * hidden + 2 * (2 * g * (2 * hidden))
    return steps * per_step + 2 * hidden * horizon


def child_matmul() -> dict:
    """float32 matmul GFLOP/s: the ceiling of this machine at this thread count."""
    import torch

    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a @ b
    n, t0 = 20, time.perf_counter()
    for _ in range(n):
        a @ b
    return {"gflops": 2 * 1024 ** 3 * n / (time.perf_counter() - t0) / 1e9}


def child_accuracy(seed: int) -> dict:
    """The tool's defaults on the F1 protocol (library code of `forecast backtest`)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import tempfile

    import ett_benchmark as E
    import numpy as np

    from forecaster.pipeline.backtesting import backtest

    ns = argparse.Namespace(**{k: None for k in E.SETTINGS})
    with tempfile.TemporaryDirectory() as tmp:
        path, df = E.truncated_csv(ETT, Path(tmp))
        res = backtest(path, E.settings(ns, ["OT"], 24, 24, seed, df["date"]))
    fc = res.forecasts
    point = fc.models[res.model_name][0]
    mse = float(np.mean(((point - fc.actual) / STD) ** 2))
    return {"seconds": res.train_seconds, "z_mse": mse, "epochs": res.epochs}


def child_backtest(origins: int) -> dict:
    """One forward pass over ``origins`` windows against one pass per origin."""
    import numpy as np
    import torch

    from forecaster.data.windows import assemble
    from forecaster.models.forecaster_net import ForecasterConfig, ForecasterEnsemble
    from forecaster.models.train import predict_batches

    cfg = ForecasterConfig(n_channels=1, n_targets=1, window=336, horizon=24, segment=24,
                           cell="gru", hidden=64, layers=1, dropout=0.0)
    torch.manual_seed(0)
    net = ForecasterEnsemble(cfg, 3).eval()
    z = np.sin(np.arange(3000 + 24 * origins + 400) / 4).astype(np.float32)[:, None]
    starts = 3000 + 24 * np.arange(origins)
    data = assemble([(z, np.ones_like(z, dtype=bool), starts)], 1, 336, 24)
    one = [assemble([(z, np.ones_like(z, dtype=bool), starts[i:i + 1])], 1, 336, 24)
           for i in range(origins)]
    best_batched, best_each = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        a = predict_batches(net, data)
        best_batched.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b = torch.cat([predict_batches(net, d) for d in one])
        best_each.append(time.perf_counter() - t0)
    assert torch.allclose(a, b, atol=1e-5)
    return {"batched": statistics.median(best_batched), "each": statistics.median(best_each)}


# --------------------------------------------------------------------------- parent

def run(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS MiB and stdout of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, cwd=ROOT)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{shlex.join(cmd)} exited {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss / 1024, out


def child(*argv: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", *argv]


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def interleave(cmds: dict[str, list[str]], repeats: int, env: dict | None = None) -> dict:
    """Each command once per round, in turn; per command the list of (wall, rss, stdout)."""
    res: dict = {k: [] for k in cmds}
    for _ in range(repeats):
        for k, c in cmds.items():
            res[k].append(run(c, env))
    return res


def med(xs) -> float:
    return statistics.median(xs)


def section_train(a: argparse.Namespace, rows: list) -> None:
    env = {"OMP_NUM_THREADS": str(a.threads)}
    cmds = {"bare": child("train", "bare", str(a.steps), "1"),
            "ours seg 1": child("train", "ours", str(a.steps), "1"),
            "ours seg 24": child("train", "ours", str(a.steps), "24"),
            "ceiling": child("matmul")}
    r = interleave(cmds, a.repeats, env)
    ceiling = med(last_json(o)["gflops"] for _, _, o in r["ceiling"])
    two = med(last_json(run(child("matmul"), {"OMP_NUM_THREADS": "2"})[2])["gflops"]
              for _ in range(a.repeats))
    runs = {k: [last_json(o) for _, _, o in v] for k, v in r.items() if k != "ceiling"}
    bare = med(x["seconds"] / x["steps"] for x in runs["bare"])
    rows.append(("train", f"float32 matmul ceiling, {a.threads} thread(s) / 2 threads",
                 f"{ceiling:.0f} / {two:.0f} GFLOP/s", "", ""))
    for k, xs in runs.items():
        per = med(x["seconds"] / x["steps"] for x in xs)
        ratios = [x["seconds"] / x["steps"] / (y["seconds"] / y["steps"])
                  for x, y in zip(xs, runs["bare"], strict=True)]
        gf = xs[0]["flop_per_step"] / per / 1e9
        est = per / bare * 74.0
        rows.append(("train", f"like-for-like 2,670 steps: {k}",
                     f"{per * 2670:.1f} s ({gf:.0f} GFLOP/s, {gf / ceiling:.0%} of ceiling)",
                     f"{med(ratios):.2f} x bare loop", f"≈ {est:.0f} s at the README's 74 s"))


def section_accuracy(a: argparse.Namespace, rows: list) -> None:
    env = {"OMP_NUM_THREADS": str(a.threads)}
    cmds = {"ours": child("accuracy", "0"), "bare": child("train", "bare", "2670", "1")}
    r = interleave(cmds, max(1, a.repeats // 2), env)
    ours = [last_json(o) for _, _, o in r["ours"]]
    bare = [last_json(o)["seconds"] for _, _, o in r["bare"]]
    ratio = med(x["seconds"] / b for x, b in zip(ours, bare, strict=True))
    rows.append(("accuracy", "defaults (GRU, window 336, segment 24, 3 members), F1 seed 0",
                 f"{med(x['seconds'] for x in ours):.1f} s, z-MSE {ours[0]['z_mse']:.4f}",
                 f"{ratio:.2f} x bare loop (2,670 steps)",
                 f"target ≤ {68.7 / 4 / 74.0:.2f} x (¼ of fastest peer)"))


def section_startup(a: argparse.Namespace, rows: list) -> None:
    scratch = Path(a.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    csv, bundle = scratch / "s10k.csv", scratch / "m10k"
    if not bundle.exists():
        subprocess.run([sys.executable, "-c", (
            "import numpy as np, pandas as pd\n"
            "n = 10000; t = pd.date_range('2020-01-01', periods=n, freq='h')\n"
            "v = 10 + np.sin(np.arange(n) * 2 * np.pi / 24)\n"
            f"pd.DataFrame({{'time': t, 'value': v}}).to_csv('{csv}', index=False)")], check=True)
        subprocess.run(["forecast", "train", str(csv), "-m", str(bundle), "--epochs", "1",
                        "--folds", "1", "--anomaly-epochs", "1", "-q"], check=True)
    cmds = {"torch": [sys.executable, "-c", "import torch"],
            "predict": ["forecast", "predict", "-m", str(bundle), "--data", str(csv), "-q"],
            "torch+pandas": [sys.executable, "-c", "import torch, pandas"],
            "help": ["forecast", "--help"]}
    r = interleave(cmds, a.repeats)
    torch_w = [w for w, _, _ in r["torch"]]
    for k in ("predict", "torch+pandas"):
        ratios = [w / t for (w, _, _), t in zip(r[k], torch_w, strict=True)]
        rows.append(("startup", "`forecast predict` (10,000 rows, 3-member bundle)"
                     if k == "predict" else "floor: `python -c \"import torch, pandas\"`",
                     f"{med(w for w, _, _ in r[k]):.2f} s, {med(m for _, m, _ in r[k]):.0f} MiB",
                     f"{med(ratios):.2f} x import torch",
                     "target ≤ 1.30 x" if k == "predict" else ""))
    rows.append(("startup", "`forecast --help`", f"{med(w for w, _, _ in r['help']):.2f} s",
                 f"{med(w for w, _, _ in r['help']) / med(torch_w):.2f} x import torch",
                 "target < 0.3 s"))
    rows.append(("startup", "yardstick `python -c \"import torch\"`", f"{med(torch_w):.2f} s",
                 "1.00", ""))


def section_detect(a: argparse.Namespace, rows: list) -> None:
    scratch = Path(a.scratch) / "detect"
    scratch.mkdir(parents=True, exist_ok=True)
    make = (
        "import numpy as np, pandas as pd, sys\n"
        "d = sys.argv[1]; rng = np.random.default_rng(0)\n"
        "def sig(n, off=0):\n"
        "    i = np.arange(n) + off\n"
        "    return (10 + 3 * np.sin(i * 2 * np.pi / 24) + rng.normal(0, .3, n)).round(4)\n"
        "h = lambda n: pd.date_range('1990-01-01', periods=n, freq='h')\n"
        "one = lambda n: pd.DataFrame({'time': h(n), 'value': sig(n)})\n"
        "one(1_000_000).to_csv(d + '/big1m.csv', index=False)\n"
        "one(3000).to_csv(d + '/small1.csv', index=False)\n"
        "t = h(5000)\n"
        "ps = [pd.DataFrame({'series': f's{k:04d}', 'time': t, 'value': sig(5000, k)})\n"
        "      for k in range(1000)]\n"
        "pd.concat(ps).to_csv(d + '/many.csv', index=False)\n"
        "pd.concat(ps[:3]).to_csv(d + '/many_small.csv', index=False)\n")
    if not (scratch / "many.csv").exists():
        subprocess.run([sys.executable, "-c", make, str(scratch)], check=True)
    for src, model, extra in (("small1.csv", "m1", []),
                              ("many_small.csv", "mm", ["--series-col", "series"])):
        if not (scratch / model).exists():
            subprocess.run(["forecast", "train", str(scratch / src), "-m", str(scratch / model),
                            "--epochs", "1", "--ensemble", "1", "--folds", "1",
                            "--anomaly-epochs", "2", "-q", *extra], check=True)
    load = ("import sys\nfrom pathlib import Path\nfrom forecaster.bundle import load_bundle\n"
            "from forecaster.pipeline.predicting import load_data_for\n"
            "frame, _ = load_data_for(load_bundle(Path(sys.argv[1])), Path(sys.argv[2]))\n"
            "print(sum(len(s.index) for s in frame.series))")
    for name, big, model, rows_n in (("1,000,000 rows x 1 series", "big1m.csv", "m1", 1e6),
                                     ("1,000 series x 5,000 rows", "many.csv", "mm", 5e6)):
        cmds = {"detect": ["forecast", "detect-anomalies", "-m", str(scratch / model),
                           "--data", str(scratch / big), "-q", "-o", str(scratch / "out.csv")],
                "load": [sys.executable, "-c", load, str(scratch / model), str(scratch / big)]}
        r = interleave(cmds, max(1, a.repeats // 2))
        assert all(int(o) == rows_n for _, _, o in r["load"]), "the load yardstick failed"
        dw, dm = med(w for w, _, _ in r["detect"]), med(m for _, m, _ in r["detect"])
        lw, lm = med(w for w, _, _ in r["load"]), med(m for _, m, _ in r["load"])
        rows.append(("detect", f"detect-anomalies, {name}",
                     f"{dw:.1f} s ({rows_n / dw / 1e3:.0f} k rows/s), peak {dm:.0f} MiB",
                     f"{dw / lw:.2f} x time, {dm / lm:.2f} x peak RSS of loading the file",
                     f"load only: {lw:.1f} s, {lm:.0f} MiB"))


def section_load(a: argparse.Namespace, rows: list) -> None:
    scratch = Path(a.scratch) / "load"
    scratch.mkdir(parents=True, exist_ok=True)
    # UCI's household power layout (Date;Time, d/m/Y, '?' for missing, 2,075,259 minutes)
    # and a plain ISO file of a million hours: the time the loader's checks take beyond
    # reading the cells.
    make = (
        "import numpy as np, pandas as pd, sys\n"
        "d = sys.argv[1]; rng = np.random.default_rng(0); n = 2_075_259\n"
        "t = pd.date_range('2006-12-16 17:24', periods=n, freq='min')\n"
        "g = np.abs(1 + 0.8 * np.sin(np.arange(n) * 2 * np.pi / 1440) + rng.normal(0, .5, n))\n"
        "f = pd.DataFrame({'Date': t.strftime('%-d/%-m/%Y'), 'Time': t.strftime('%H:%M:%S'),\n"
        "    'Global_active_power': g.round(3), 'Voltage': (240 + rng.normal(0, 2, n)).round(2),\n"
        "    'Sub_metering_3': rng.integers(0, 18, n).astype(float)}).astype(str)\n"
        "f.loc[rng.random(n) < .0125, f.columns[2:]] = '?'\n"
        "f.to_csv(d + '/power.txt', sep=';', index=False)\n"
        "h = pd.date_range('1990-01-01', periods=1_000_000, freq='h')\n"
        "pd.DataFrame({'time': h, 'value': rng.normal(10, 1, len(h)).round(4)})"
        ".to_csv(d + '/hours.csv', index=False)\n")
    if not (scratch / "hours.csv").exists():
        subprocess.run([sys.executable, "-c", make, str(scratch)], check=True)
    ours = ("import sys\nfrom forecaster.data.loading import load_frame\n"
            "from forecaster.data.spec import DataSpec\n"
            "f = load_frame(sys.argv[1], DataSpec(targets=[sys.argv[2]]))\n"
            "print(sum(len(s.index) for s in f.series))")
    # The yardstick reads the cells and parses the times, as any loader must.
    plain = ("import sys, pandas as pd\n"
             "f = pd.read_csv(sys.argv[1], sep=sys.argv[3], na_values='?')\n"
             "t = f['time'] if 'time' in f else f['Date'] + ' ' + f['Time']\n"
             "print(len(pd.to_datetime(t, dayfirst='Date' in f)))")
    for name, file, target, sep in (("UCI household power layout, 2,075,259 rows x 5",
                                     "power.txt", "Global_active_power", ";"),
                                    ("ISO hours, 1,000,000 rows x 2", "hours.csv", "value", ",")):
        path = str(scratch / file)
        r = interleave({"ours": [sys.executable, "-c", ours, path, target],
                        "pandas": [sys.executable, "-c", plain, path, target, sep]},
                       max(1, a.repeats // 2))
        ow, pw = med(w for w, _, _ in r["ours"]), med(w for w, _, _ in r["pandas"])
        rows.append(("load", f"load_frame (read, check, put on a grid), {name}",
                     f"{ow:.1f} s", f"{ow / pw:.2f} x pandas.read_csv + to_datetime",
                     f"yardstick (separator and day-first given; ours finds both): {pw:.1f} s"))


def section_backtest(a: argparse.Namespace, rows: list) -> None:
    r = [last_json(run(child("backtest", "100"), {"OMP_NUM_THREADS": str(a.threads)})[2])
         for _ in range(a.repeats)]
    b, e = med(x["batched"] for x in r), med(x["each"] for x in r)
    rows.append(("backtest", "--refit never, 100 origins: one batched forward (defaults' net)",
                 f"{b * 1e3:.0f} ms", f"{b / e:.2f} x 100 one-origin passes",
                 f"one-origin passes: {e * 1e3:.0f} ms"))


SECTIONS = ("train", "accuracy", "startup", "detect", "load", "backtest")


def machine() -> str:
    import torch

    with open("/proc/cpuinfo") as fh:
        cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                   platform.processor())
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, torch "
            f"{torch.__version__} CPU, GPU not measured")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        fn = {"train": lambda: child_train(rest[0], int(rest[1]), int(rest[2])),
              "matmul": child_matmul, "accuracy": lambda: child_accuracy(int(rest[0])),
              "backtest": lambda: child_backtest(int(rest[0]))}[kind]
        print(json.dumps(fn()))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for s in SECTIONS:
        p.add_argument(f"--{s}", action="store_true")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--steps", type=int, default=2670, help="training steps per run")
    p.add_argument("--threads", type=int, default=1, help="OMP_NUM_THREADS of timed training")
    p.add_argument("--scratch", default="/tmp/forecast-speed")
    a = p.parse_args()
    picked = [s for s in SECTIONS if getattr(a, s)]
    rows: list = []
    for s in picked or SECTIONS:
        globals()[f"section_{s}"](a, rows)
        print(f"done: {s}", file=sys.stderr, flush=True)
    print(f"Machine: {machine()}; {a.repeats} interleaved repeats, medians.\n")
    print("| section | what | ours | ratio to yardstick (same run) | note |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
