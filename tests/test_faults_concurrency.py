"""Fault suite (issue 5): trains and predicts at once on one bundle.

Readers take no lock, trains take the bundle's lock (exit 75 when it is taken), and
a reader must never see half a bundle, even while trains replace and prune versions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from conftest import IN_PROCESS_RUNNER
from test_faults_kill import ENV, SAVE_LOOP, TINY_CSV, TRAIN, counter_of

from forecaster.bundle import load_bundle
from forecaster.bundle_versions import current_version_dir
from forecaster.config import PredictSettings
from forecaster.errors import EXIT_LOCKED
from forecaster.io import render
from forecaster.pipeline.predicting import predict as run_predict

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COLUMNS = ["series", "timestamp", "target", "forecast", "lower", "upper"]

# Warms up (argv[1]: JSON list of commands), then forks every job of the JSON list on
# stdin at once: {"argv", "until"}: run the forecast command, again and again (with
# {n} in its words replaced by the round) while the file "until" is missing (at least
# twice). Prints the exit codes of each job's rounds, one JSON list per job.
GANG = IN_PROCESS_RUNNER + """
for argv in json.loads(sys.argv[1]):
    assert run(argv) == 0, argv
jobs = json.loads(sys.stdin.readline())
pids = []
for k, job in enumerate(jobs):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        codes = []
        try:
            while True:
                argv = [a.replace("{n}", str(len(codes))) for a in job["argv"]]
                codes.append(run(argv))
                if not job["until"] or len(codes) >= 300 or (
                        len(codes) >= 2 and os.path.exists(job["until"])):
                    break
        finally:
            os.write(w, json.dumps(codes).encode())
            os._exit(0)
    os.close(w)
    pids.append((pid, r))
for pid, r in pids:
    with os.fdopen(r) as fh:
        print(fh.read(), flush=True)
    os.waitpid(pid, 0)
"""


def _csv_ok(path: Path) -> pd.DataFrame:
    out = pd.read_csv(path)
    assert list(out.columns) == COLUMNS, path
    assert len(out) == 6 and out[["forecast", "lower", "upper"]].notna().all().all(), path
    return out


def test_two_trains_and_predicts_at_once(tmp_path: Path) -> None:
    model = tmp_path / "m"
    shutil.copytree(FIXTURES / "bundle_v1", model)
    outs = tmp_path / "out"
    outs.mkdir()
    done = tmp_path / "trains-done"
    train = ["train", str(TINY_CSV), "--model", str(model), *TRAIN, "--quiet"]
    predict = ["predict", "--model", str(model), "--data", str(TINY_CSV), "--quiet"]
    warm = tmp_path / "warm"
    gang = subprocess.Popen(
        [sys.executable, "-c", GANG, json.dumps([
            [*train[:3], str(warm), *train[4:]],
            [*predict[:2], str(warm), *predict[3:], "--output", str(tmp_path / "warm.csv")]])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV)
    trains = [{"argv": train, "until": None}, {"argv": train, "until": None},
              {"argv": [*train, "--wait", "60"], "until": None}]
    predicts = [{"argv": [*predict, "--output", str(outs / f"p{j}-{{n}}.csv")],
                 "until": str(done)} for j in range(3)]
    gang.stdin.write(json.dumps(trains + predicts) + "\n")
    gang.stdin.flush()
    results = []
    for k in range(len(trains) + len(predicts)):
        line = gang.stdout.readline()
        assert line, "the helper process died"
        results.append(json.loads(line))
        if k == len(trains) - 1:
            done.touch()  # the trains are over: the predicts finish their round and stop
    gang.stdin.close()
    assert gang.wait(timeout=60) == 0

    train_codes = [c for codes in results[:len(trains)] for c in codes]
    assert set(train_codes) <= {0, EXIT_LOCKED}, train_codes
    assert results[2] == [0], "the train that waits for the lock must get it"
    predict_codes = [c for codes in results[len(trains):] for c in codes]
    assert predict_codes and set(predict_codes) == {0}, predict_codes

    # Every forecast came from one whole bundle: the old one or the new one (the trains
    # share their settings and seed, so each new version forecasts the same).
    final = load_bundle(model)
    assert final.path == current_version_dir(model)
    allowed = {_forecast(FIXTURES / "bundle_v1"), _forecast(model)}
    assert len(allowed) == 2
    files = sorted(outs.glob("p*.csv"))
    assert len(files) == len(predict_codes)
    for f in files:
        _csv_ok(f)
        assert f.read_text() in allowed, f"{f}: from no whole bundle"
    assert not list(outs.glob(".*")), "a temporary output file was left behind"


def _forecast(model: Path) -> str:
    return render(run_predict(PredictSettings(model_dir=model, data=TINY_CSV)), "csv")


def test_readers_never_see_a_torn_bundle_while_versions_are_pruned(tmp_path: Path) -> None:
    root = tmp_path / "m"
    writer = subprocess.Popen([sys.executable, "-c", SAVE_LOOP, str(root), "1", "0"],
                              stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        assert writer.stdout.readline().strip() == "ready"
        while not (root / "CURRENT").exists():
            time.sleep(0.01)
        seen: set[int] = set()
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline or len(seen) < 50:
            assert writer.poll() is None, "the writer died"
            bundle = load_bundle(root)  # no BundleError while the writer prunes (--keep 1)
            i = bundle.meta["i"]
            for t in bundle.tensors.values():
                assert (t == i).all(), "metadata and weights from different saves"
            seen.add(i)
            assert time.monotonic() < deadline + 30, "the writer makes no progress"
        assert len(seen) >= 50
    finally:
        writer.kill()
        writer.wait()
    counter_of(current_version_dir(root))
    assert os.path.isdir(root / "versions")
