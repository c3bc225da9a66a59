"""Re-score NAB bundles with a rarity gate on event peaks (an experiment, not adopted).

Each event of the default rule is kept only if peaks as high as its own are rare in the
out-of-fold scores: with the out-of-fold runs (steps at or above ``MIN_THRESHOLD``,
joined across one anomaly window as events are) less the ``min(4, n_oof // R)`` highest
(possible faults in the validation blocks), ``c`` runs peak at or above the event's peak;
the event is dropped when ``c * n_scored / n_oof`` (such peaks expected by chance in the
scored span) is at least ``E``. Totals are given for the development files, the held-out
files and all (see ``RESULTS-nab.md``, Session 16).

Usage (the bundles of a ``nab_benchmark.py --bundles B`` run)::

    OMP_NUM_THREADS=1 python benchmarks/nab_peak_gate.py --bundles B
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nab_metrics import event_confusion, f1_from_counts, load_windows  # noqa: E402

from forecaster.anomaly.settings import DetectSettings  # noqa: E402
from forecaster.anomaly.thresholds import MIN_THRESHOLD, close_gaps, runs  # noqa: E402
from forecaster.bundle import load_bundle  # noqa: E402
from forecaster.pipeline.detecting import detect  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "nab"
DEV = ("ec2_request_latency_system_failure", "nyc_taxi", "rogue_agent_key_updown",
       "art_")  # the files the defaults were chosen on (RESULTS-nab.md)
GRID = [(r, e) for r in (300, 600, 1000, 2000) for e in (1, 2, 4)]


def file_facts(model: Path) -> tuple[list[float], int, int, list[tuple]]:
    """Out-of-fold run peaks (highest first), out-of-fold and scored step counts, and
    the default rule's events as (start, end, peak)."""
    oof = load_bundle(model).tensors["anomaly.oof_scores"].numpy().astype(np.float64)
    over = np.nan_to_num(oof, nan=-np.inf) >= MIN_THRESHOLD
    found = detect(DetectSettings(model_dir=model))
    window = int(load_bundle(model).meta["anomaly"]["config"]["window"])
    peaks = sorted((float(np.nanmax(oof[a:b + 1])) for a, b in runs(close_gaps(over, window))),
                   reverse=True)
    ev = found.events
    events = [(pd.Timestamp(s).tz_localize(None), pd.Timestamp(e).tz_localize(None), float(p))
              for s, e, p in zip(ev["start"], ev["end"], ev["peak_score"], strict=True)]
    n_scored = int(found.table["score"].notna().sum())
    return peaks, int(np.count_nonzero(~np.isnan(oof))), n_scored, events


def gated(facts: tuple, r: int | None, e: float) -> list[tuple]:
    """The events the gate keeps (all of them when ``r`` is None)."""
    peaks, n_oof, n_scored, events = facts
    if r is None:
        return [(s, t) for s, t, _ in events]
    rest = peaks[min(4, n_oof // r):]
    return [(s, t) for s, t, p in events if sum(q >= p for q in rest) * n_scored / n_oof < e]


def main() -> None:
    """Print one line of totals per gate setting."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--bundles", type=Path, required=True)
    args = ap.parse_args()
    files = {}
    for model in sorted(p for p in args.bundles.iterdir() if (p / "versions").is_dir()):
        key = model.name.replace("__", "/", 1) + ".csv"
        files[key] = (file_facts(model), load_windows(args.data / "labels_windows.json", key))
    print("| R | E | dev tp/fp/fn | dev F1 | held-out tp/fp/fn | held-out F1 | all F1 |")
    print("|---|---|---|---|---|---|---|")
    for r, e in [(None, 0.0), *GRID]:
        sums = {"dev": np.zeros(3, int), "held": np.zeros(3, int)}
        for key, (facts, windows) in files.items():
            part = "dev" if any(d in key for d in DEV) else "held"
            sums[part] += event_confusion(gated(facts, r, e), windows)
        cells = []
        for part in ("dev", "held"):
            cells += ["/".join(map(str, sums[part])), f"{f1_from_counts(*sums[part])[2]:.3f}"]
        total = sums["dev"] + sums["held"]
        print(f"| {r or 'none'} | {e:g} | {' | '.join(cells)} | {f1_from_counts(*total)[2]:.3f} |")


if __name__ == "__main__":
    main()
