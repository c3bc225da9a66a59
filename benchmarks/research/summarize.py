"""Print results.jsonl as a markdown table (val/test z-MSE mean ± sd over seeds)."""
import json
from pathlib import Path

BASE = dict(window=96, segment=12, hidden=64, layers=2, cell="lstm", dropout=0.0, norm="last",
            batch=128, lr=2e-3, epochs=30, patience=4, loss="mse", ensemble=1)
VERDICT = {
    "base": "reference",
    "norm_revin": "worse than last (val, test)",
    "seg6": "no gain, 2x slower",
    "seg24": "better val, faster: keep",
    "gru": "best single knob on val: keep",
    "h32": "slightly better val, faster",
    "h128": "no real gain, 3x slower",
    "layers1": "better val, faster: keep",
    "win168": "better val (test not)",
    "win336": "better val (test not)",
    "b32_lr1e-3": "tiny val gain, slower",
    "b256_lr3e-3": "same val, noisier test",
    "lr1e-3": "tiny val gain, slower",
    "lr5e-3": "val gain, noisier",
    "pat8": "identical to base (best epoch already passed)",
    "huber": "small val gain only",
    "mae": "small val gain only",
    "drop0.1": "small val gain, slower",
    "gru_win168": "val gain",
    "gru_seg24": "val gain, fastest",
    "gru_win168_seg24": "val gain",
    "gru_l1": "val gain",
    "gru_win168_seg24_l1": "val 2nd of phase 2",
    "gru_lr5e-3": "no gain over gru",
    "gru_win336_seg24": "val best of phase 2",
    "gru_win168_drop0.1": "no gain over gru_win168",
    "gru_win336_seg24_l1": "best single-model val; seed spread 0.0270-0.0290",
    "gru_win336_seg24_h32": "worse than h64",
    "gru_win336_seg24_ens3": "ensemble helps val",
    "gru_win168_seg24_l1_ens3": "runner-up on val",
    "gru_win336_seg24_l1_ens3": "**CHOSEN (best val)**",
}
RESULTS = Path(__file__).parent / "results.jsonl"
rows = [json.loads(line) for line in RESULTS.read_text().splitlines()]
print("| name | change vs base | seeds | val z-MSE | test z-MSE | test per seed "
      "| train s per run (ensemble: all members) | epochs | verdict |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    diff = ", ".join(f"{k}={v}" for k, v in r["cfg"].items() if BASE.get(k) != v) or "-"
    per = " / ".join(f"{x['test']:.4f}" for x in r["runs"])
    eps = " ".join(",".join(map(str, x["epochs"])) for x in r["runs"])
    seeds = ",".join(map(str, r["seeds"]))
    print(f"| {r['name']} | {diff} | {seeds} | {r['val_mean']:.4f} ± {r['val_sd']:.4f} "
          f"| {r['test_mean']:.4f} ± {r['test_sd']:.4f} | {per} | {r['train_s_mean']:.1f} "
          f"| {eps} | {VERDICT.get(r['name'], '')} |")
