"""``train --warm-start``: continue from the current bundle's weights on a grown file.

Meant for scheduled retraining: the forward-chaining evaluation is skipped (its
figures and the interval calibration are carried over from the previous bundle and
marked as such), and the final networks start from the previous weights instead
of from scratch, with early stopping on the newest data.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, fields, replace
from pathlib import Path

import torch

from forecaster.bundle import Bundle, load_bundle
from forecaster.config import TrainSettings
from forecaster.data.freq_steps import as_steps, step_word
from forecaster.data.grid import same_step
from forecaster.data.loading import Frame
from forecaster.data.spec import DataSpec
from forecaster.errors import ConfigError, DataError, MissingInputError
from forecaster.models.forecaster_net import ForecasterConfig
from forecaster.pipeline.offset_change import check_offsets
from forecaster.pipeline.predicting import load_forecaster
from forecaster.report import Reporter

# How this run works, not what it trains: never taken from the bundle. --keep is taken: it
# is the model directory's retention, and a nightly warm start without it pruned a bundle
# trained with --keep 10 to 3 versions.
RUN_ONLY = {"data", "model_dir", "device", "wait", "deterministic", "warm_start", "sources"}
# Appended to the recorded source of an option taken from the bundle ("flag (kept by
# --warm-start)"): the value still counts as given at the next warm start, and info says
# where it came from first.
KEPT = " (kept by --warm-start)"
# Options that set the steps themselves: never changed by a warm start.
GRID_OPTIONS = ("resample", "aggregate", "freq")
# The option that sets each DataSpec field.
SPEC_OPTIONS = {"time_col": "time_col", "time_parts": "time_col", "targets": "target",
                "features": "features", "series_col": "series_col",
                "series_parts": "series_col", "freq": "freq",
                "fill": "fill", "duplicates": "duplicates", "resample": "resample",
                "aggregate": "aggregate", "na_values": "na_values"}
# The columns' roles, taken as the bundle resolved them: a target found by itself at the
# first run must not be looked for again in a file that has gained a numeric column.
ROLE_FIELDS = ("time_col", "time_parts", "targets", "series_col", "series_parts", "features")


def no_bundle(model_dir: Path | str) -> ConfigError:
    """The error for a --warm-start with no bundle in ``model_dir`` to continue from."""
    return ConfigError(f"--warm-start: no bundle in {model_dir} to continue from; run "
                       "'forecast train' without --warm-start first")


def previous_bundle(model_dir: Path, frame: Frame, cfg: ForecasterConfig,
                    members: int) -> Bundle:
    """The bundle to continue from, after checking it fits the data and settings."""
    try:
        prev = load_bundle(model_dir)
    except MissingInputError:
        raise no_bundle(model_dir) from None
    _same_step_as(prev, frame, model_dir)
    was = prev.meta["forecaster"]
    differ = _differences(was.get("config"), cfg, int(was.get("members", 1)), members)
    if differ:
        raise ConfigError(f"--warm-start: the bundle in {model_dir} has another model shape: "
                          f"{differ}; leave those options out to continue the bundle, or "
                          "train without --warm-start")
    if prev.meta["data"].get("columns") != frame.columns:
        was_cols = ", ".join(prev.meta["data"].get("columns") or [])
        raise ConfigError(f"--warm-start: the bundle was trained on columns {was_cols}, the "
                          f"data gives {', '.join(frame.columns)}; expected the same: give "
                          "the training columns (--target, --features), or train without "
                          "--warm-start")
    return prev


def warn_lost_series(prev: Bundle, frame: Frame, path: Path, report: Reporter) -> None:
    """Warn when series of the bundle have no rows in the data: a nightly warm start on a
    file truncated for a day made the model forget them without a word, and the drift
    gate then stopped naming them."""
    was = prev.meta["data"].get("series")
    names = list(was) if isinstance(was, dict) else []
    now = {s.name for s in frame.series}
    lost = [n for n in names if n not in now]
    if lost:
        shown = ", ".join(f"'{n}'" for n in lost[:5]) + (f" and {len(lost) - 5} more"
                                                          if len(lost) > 5 else "")
        # Rows too few to train on leave a series out too (drop_short, warned of there).
        verb = "has" if len(lost) == 1 else "have"
        report.warn(f"--warm-start: series {shown} of the bundle {verb} no rows, or too few to "
                    f"train on, in {path.name}; "
                    "the new version will not forecast them: check the file, and run "
                    "'forecast rollback' after this train to keep them")
    _warn_shrunk(was if isinstance(was, dict) else {}, frame, path, report)


def _warn_shrunk(was: dict, frame: Frame, path: Path, report: Reporter) -> None:
    """Warn when a series has under half the rows it was trained on: a file rotated or cut
    to its newest rows refit the anomaly model's calibration on the tail alone, silently.
    (A file kept at a steady length, the last 90 days, say, is not warned of each night.)"""
    for s in frame.series:
        before = was.get(s.name) if isinstance(was.get(s.name), dict) else {}
        rows = before.get("rows")
        if isinstance(rows, int) and len(s.index) < rows / 2:
            where = f"series '{s.name}'" if s.name else "the data"
            report.warn(f"--warm-start: {path.name} holds {len(s.index)} rows of {where}, "
                        f"the bundle was trained on {rows} (the file was rotated or cut?): "
                        "the new version learns from these rows alone; check the file, and "
                        "run 'forecast rollback' after this train to go back")
            return


def check_step(model_dir: Path, frame: Frame, path: Path) -> None:
    """``--warm-start``: refuse data on another step as soon as it is read, before a shape
    is fitted to it (a short daily file against an hourly bundle was told to use a shorter
    --window, which a warm start refuses too), and data whose times gained or lost a UTC
    offset since the bundle's training, as predict does (continued in silence, the model
    learnt its daily cycle shifted by the offset)."""
    try:
        prev = load_bundle(model_dir)
    except MissingInputError:
        return  # train says there is nothing to continue from
    _same_step_as(prev, frame, model_dir)
    check_offsets(prev.meta["data"], frame, path)


def _same_step_as(prev: Bundle, frame: Frame, model_dir: Path) -> None:
    """Refuse data on another step than the bundle's (inferred or given): its weights,
    window and interval calibration all read steps of the bundle's size."""
    was, times = prev.meta["data"].get("freq"), frame.series[0].index
    if was and not same_step(frame.freq, was):
        now, was = (f"'{f}'" if step_word(f, times) == f else f"{step_word(f, times)} step(s)"
                    for f in (frame.freq, was))  # "10 step(s)", not '10ns'
        raise DataError(f"--warm-start: the data's frequency is {now}, the bundle in "
                        f"{model_dir} was trained on {was}; a warm start continues on the "
                        f"bundle's steps: give data at {was}, or train without --warm-start "
                        "for a new model")


def _differences(saved: dict | None, cfg: ForecasterConfig, had: int, members: int) -> str:
    """What differs between the bundle's network and these settings' ("" if nothing)."""
    # Through the dataclass, so that fields added since the bundle was saved take
    # their defaults, which are what that bundle's network was built with.
    try:
        was = ForecasterConfig(**(saved or {})).to_dict()
    except TypeError:
        return "a config this version cannot read"
    now = {**cfg.to_dict(), "ensemble": members}
    was["ensemble"] = had
    return ", ".join(f"{k} {was[k]} in the bundle, {v} now" for k, v in now.items()
                     if was.get(k) != v)


def continue_settings(st: TrainSettings) -> TrainSettings:
    """``--warm-start``: the bundle's settings for every option not given for this run.

    A nightly ``forecast train data.csv --warm-start`` must not have to repeat the
    first run's --target, --features or model shape. Options given (on the command
    line, in the environment or a config file) win; with no record of where options
    came from (a library call), a value other than the default counts as given. The
    columns' roles are the bundle's as resolved (what predict reads the file with).
    An option taken from the bundle keeps the source recorded there (see ``KEPT``),
    so that it is still known as given at every later warm start.
    """
    try:
        meta = load_bundle(Path(st.model_dir)).meta
    except MissingInputError:
        return st  # previous_bundle says there is nothing to continue from
    saved = meta.get("settings") or {}
    was = saved.get("sources") if isinstance(saved.get("sources"), dict) else {}
    # The anomaly model is refit from scratch: its automatic settings (a window shrunk for a
    # short file, the model skipped) are settled again on the grown file.
    auto = {k for k in saved if k.startswith("anomaly") and was.get(k, "default") == "default"}
    over = {f.name: saved[f.name] for f in fields(TrainSettings)
            if f.name not in RUN_ONLY | auto and f.name in saved
            and not _given(st, f.name, getattr(st, f.name), _default(f))}
    resolved = meta["data"].get("spec") or {}
    spec_saved = {**(saved.get("data") or {}),
                  **{k: resolved[k] for k in ROLE_FIELDS if k in resolved}}
    _same_grid(st, spec_saved, meta["data"].get("freq"))
    # Fields set by no option (day_first) are found again when the file is read.
    spec = {f.name: spec_saved[f.name] for f in fields(DataSpec)
            if f.name in spec_saved and f.name in SPEC_OPTIONS
            and not _given(st, SPEC_OPTIONS[f.name], getattr(st.data, f.name), _default(f))}
    taken = set(over) | {SPEC_OPTIONS[name] for name in spec}
    try:
        st = replace(st, **over, data=replace(st.data, **spec),
                     sources=_kept_sources(st.sources, was, taken))
    except ConfigError as exc:  # a value an older release allowed (or a hand edit)
        raise ConfigError(f"--warm-start: the bundle in {st.model_dir} records {exc}, which "
                          "this version refuses; train without --warm-start") from None
    _check_segment(st, saved, taken)
    _check_anomaly_segment(st, taken)
    return st


def _check_segment(st: TrainSettings, saved: dict, taken: set[str]) -> None:
    """Refuse a --window (or --segment) given that the bundle's segment (or window) does
    not divide, as the change of shape it is: the fold planner's "choose a segment that
    divides the window" named a segment the user never gave."""
    if not (st.window and st.segment) or st.window % st.segment == 0:
        return
    given = [k for k in ("window", "segment") if k not in taken and saved.get(k) is not None
             and saved[k] != getattr(st, k)]
    if len(given) != 1:  # both given: the fold planner's message is the user's own
        return
    (k,) = given
    raise ConfigError(f"--warm-start: the bundle in {st.model_dir} has another model shape: "
                      f"{k} {saved[k]} in the bundle, {getattr(st, k)} now; leave those "
                      "options out to continue the bundle, or train without --warm-start")


def _check_anomaly_segment(st: TrainSettings, taken: set[str]) -> None:
    """Refuse an --anomaly-window (or --anomaly-segment) given that the bundle's segment
    (or window) does not divide, saying where the other came from: the anomaly model is
    refit from scratch, so giving both is the way out, not leaving the bundle."""
    win, seg = st.anomaly_window, st.anomaly_segment
    kept = {"anomaly_window", "anomaly_segment"} & taken
    if not (st.anomaly and win and seg) or win % seg == 0 or len(kept) != 1:
        return
    if kept == {"anomaly_segment"}:
        fit = max(d for d in range(1, max(min(seg, win // 2), 1) + 1) if win % d == 0)
        theirs, mine, ask = "segment", "window", f"one that divides {win}, e.g. {fit}"
    else:
        near = max(win // seg, 2) * seg
        theirs, mine, ask = "window", "segment", f"a multiple of {seg}, e.g. {near}"
    raise ConfigError(f"--anomaly-window {win} is not a multiple of --anomaly-segment {seg}: "
                      f"the {theirs} is the bundle's in {st.model_dir} (--warm-start keeps it, "
                      f"as it was given at its training); give --anomaly-{theirs} too ({ask}), "
                      f"or leave --anomaly-{mine} out")


def _kept_sources(now: dict, was: dict, taken: set[str]) -> dict:
    """This run's sources, with those of the options ``taken`` from the bundle as the
    bundle recorded them, marked kept.

    Recorded as "default", a value given at the first train was reset by the second warm
    start (the anomaly settings) and shown by info as a default. With no record for this
    run (a library call), none is made up: an empty record means "judge by the values".
    """
    if not now:
        return now
    kept = {k: v if v.endswith(KEPT) else v + KEPT for k, v in was.items()
            if k in taken and isinstance(v, str) and v != "default"}
    return {**now, **kept}


def _same_grid(st: TrainSettings, saved: dict, grid: str | None) -> None:
    """Refuse a warm start onto other bins or another step: the previous weights, fold
    figures and intervals all read steps of the bundle's size (a 72-step window of hours
    would become one of half hours)."""
    defaults = {f.name: _default(f) for f in fields(DataSpec)}
    for name in GRID_OPTIONS:
        now = getattr(st.data, name)
        if not _given(st, name, now, defaults[name]):
            continue
        was = saved.get(name, defaults[name])
        if name == "freq" and not saved.get("resample"):
            was = grid  # the step the bundle's rows were on, given or inferred
            if was and same_step(now, was):
                continue
        if as_steps(str(now)) != as_steps(str(was)):  # --resample 10 is a bundle's 10ns
            option = name.replace("_", "-")
            raise ConfigError(f"--warm-start with --{option} {now}: the bundle was trained "
                              f"with {'--' + option + ' ' + str(was) if was else 'none'}; a "
                              f"warm start continues on the same steps: leave --{option} "
                              "out, or train without --warm-start")


def _given(st: TrainSettings, option: str, value: object, default: object) -> bool:
    if st.sources:
        return st.sources.get(option, "default") != "default"
    return value != default


def _default(f: Field) -> object:
    return f.default_factory() if f.default_factory is not MISSING else f.default


def initial_states(prev: Bundle) -> list[dict[str, torch.Tensor]]:
    """Each member's previous weights."""
    return [m.state_dict() for m in load_forecaster(prev).members]


def inherited(prev: Bundle) -> tuple[list[dict], dict[str, torch.Tensor]]:
    """Fold metrics and interval quantiles carried over from the previous bundle."""
    folds = prev.meta.get("metrics", {}).get("folds", [])
    tensors = {k: v for k, v in prev.tensors.items() if k.startswith("intervals.")}
    return folds, tensors
