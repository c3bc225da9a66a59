"""NAB as a cron job runs the tool: retrain on the past, score only the new rows.

``nab_benchmark.py`` follows Orion's protocol: one model trained on the whole file
scores the whole file, so it has seen every fault it is asked to find. Here each
file is cut at fixed checkpoints: the first at 15 % of its rows (NAB's
probationary share), then ``--blocks`` equal blocks to the end. Block k is scored
with ``detect-anomalies --since <its first row>`` by a bundle trained with
``forecast train`` on the rows before it only, its threshold calibrated on that
bundle's out-of-fold errors, with the rows before the block as context: the way a
nightly ``train`` and an hourly ``detect-anomalies --since`` run. No row is scored
by a model that saw it. Rows before the first checkpoint are never scored (a label
there is missed). Settings and metrics are ``nab_benchmark.py``'s.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/nab_walkforward.py [--files PATTERN] [--blocks 4]
        [--out FILE] [--set FIELD=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nab_benchmark as nb  # noqa: E402
from nab_metrics import event_confusion, load_windows, nab_raw_score  # noqa: E402

from forecaster.anomaly.settings import DetectSettings  # noqa: E402
from forecaster.errors import ForecastError  # noqa: E402
from forecaster.pipeline.detecting import detect  # noqa: E402
from forecaster.pipeline.training import train  # noqa: E402

FIRST_SHARE = 0.15  # NAB's probationary share: the first model's training rows


def checkpoints(n_rows: int, blocks: int) -> list[int]:
    """Row positions where a model is retrained: 15 % in, then ``blocks`` equal blocks."""
    first = int(FIRST_SHARE * n_rows)
    return [first + (n_rows - first) * k // blocks for k in range(blocks + 1)]


def run_file(path: Path, key: str, labels: Path, over: dict, blocks: int,
             method: str) -> dict:
    """Walk one file forward; the scored blocks' tables and events joined, then scored."""
    windows = load_windows(labels, key)
    raw = pd.read_csv(path)
    cuts = checkpoints(len(raw), blocks)
    tables, events, t0 = [], [], time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(blocks):
            past, upto = Path(tmp, f"past{k}.csv"), Path(tmp, f"upto{k}.csv")
            raw.iloc[:cuts[k]].to_csv(past, index=False)
            raw.iloc[:cuts[k + 1]].to_csv(upto, index=False)
            model = Path(tmp, f"m{k}")
            try:
                train(past, nb.settings(model, nb.FREQ.get(path.name), **over))
            except ForecastError as exc:
                print(f"{key} block {k + 1}: refused ({exc})", file=sys.stderr)
                continue
            found = detect(DetectSettings(model_dir=model, data=upto, method=method,
                                          since=str(raw.iloc[cuts[k], 0])))
            tables.append(found.table)
            events.append(found.events)
    return _score(key, windows, tables, events, time.time() - t0)


def _score(key: str, windows: list, tables: list, events: list, seconds: float) -> dict:
    if not tables:
        return nb._refused(key, "telemanom", windows, "every block refused")
    table = pd.concat(tables, ignore_index=True)
    ev = pd.concat([e for e in events if len(e)] or events[:1], ignore_index=True)
    stamps = nb._stamps(table)
    spans = [(s.tz_localize(None), e.tz_localize(None))
             for s, e in zip(ev["start"], ev["end"], strict=True)]
    tp, fp, fn = event_confusion(spans, windows)
    flags = table["is_anomaly"].to_numpy(dtype=bool)
    onsets = flags & ~np.concatenate([[False], flags[:-1]])
    nb.SCORES.append((stamps, table["score"].to_numpy(float), windows))
    return {"file": key, "rule": "telemanom", "tp": tp, "fp": fp, "fn": fn,
            "windows": len(windows), "nab_raw": nab_raw_score(stamps, onsets, windows),
            "nab_raw_rows": nab_raw_score(stamps, flags, windows), "threshold": None,
            "seconds": round(seconds, 1)}


def main() -> None:
    """Walk every file forward and print the per-file table and totals."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=nb.DATA)
    ap.add_argument("--files", default="*", help="glob on file names")
    ap.add_argument("--blocks", type=int, default=4, help="scored blocks per file")
    ap.add_argument("--method", default="reconstruction", choices=("reconstruction", "forecast"))
    ap.add_argument("--out", type=Path, help="append JSON lines of results here")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a TrainSettings field, e.g. anomaly_window=100")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    over = {k: nb._value(v) for k, v in (s.split("=", 1) for s in args.set)}
    labels = args.data / "labels_windows.json"
    results = []
    for name in nb.SETS:
        for path in sorted((args.data / name).glob(args.files + ".csv")):
            r = run_file(path, f"{name}/{path.name}", labels, over, args.blocks, args.method)
            print(f"{path.name}: tp {r['tp']} fp {r['fp']} fn {r['fn']} ({r['seconds']} s)",
                  file=sys.stderr)
            results.append(r)
    print(f"\n### walk-forward, {args.blocks} blocks, `{args.method}`\n\n"
          f"{nb.table(results, 'telemanom')}\n\n{nb.swept()}")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"walk_forward": args.blocks, "settings": over,
                                 "method": args.method, "results": results}) + "\n")


if __name__ == "__main__":
    main()
