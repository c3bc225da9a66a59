"""A summary of a bundle for ``forecast info``."""

from __future__ import annotations

import io
import sys

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from forecaster.bundle import Bundle
from forecaster.data.timestamps import column_label, is_step_freq, is_steps, step_numbers
from forecaster.ops.rollback import kept_versions


def describe(bundle: Bundle) -> dict:
    """The facts a person or a script wants about a bundle, as plain JSON."""
    meta = bundle.meta
    data = meta["data"]
    folds = meta.get("metrics", {}).get("folds", [])
    mean = {k: _mean([f.get(k) for f in folds]) for k in ("mae", "rmse", "mase", "naive_mae",
                                                          "snaive_mae")}
    series = data.get("series", {})
    return {
        "bundle": str(bundle.path), "version": bundle.path.name if bundle.path else None,
        "created": meta.get("created"), "format_version": meta.get("format_version"),
        "data": {"path": data.get("path"), "sha256": data.get("sha256"),
                 "time": _time_columns(data.get("spec") or {}),
                 "time_offsets": data.get("time_offsets"),
                 "freq": _freq(data.get("freq")), "targets": data.get("targets"),
                 "resample": _resampled(data.get("spec") or {}),
                 "columns": data.get("columns"), "n_filled": data.get("n_filled"),
                 "na_values": (data.get("spec") or {}).get("na_values", []),
                 "nonnegative": meta["forecaster"].get("nonnegative", []),
                 "counters": meta["forecaster"].get("counters", {}),
                 "series": len(series), "series_by": _series_by(data.get("spec") or {}),
                 **_period([s["first"] for s in series.values()],
                           [s["last"] for s in series.values()])},
        "forecaster": meta["forecaster"].get("config", {}),
        "folds": [_fold_steps(f, data.get("freq")) for f in folds], "fold_mean": mean,
        # Set by --warm-start: the folds above were measured by an earlier version.
        "warm_start": meta.get("warm_start"),
        "anomaly": _anomaly(meta.get("anomaly")),
        "settings": meta.get("settings", {}),
        "sources": meta.get("settings", {}).get("sources", {}),
        "versions": meta.get("versions", {}),
        **_kept(bundle),
    }


def _kept(bundle: Bundle) -> dict:
    """The bundle's kept versions and what rollback would make current."""
    if bundle.path is None:
        return {"kept": [], "rollback_to": None}
    kept, back = kept_versions(bundle.path.parent.parent, bundle.path.name)
    return {"kept": kept, "rollback_to": back}


def _series_by(spec: dict) -> list[str]:
    # The --series-col column(s); bundles from before series_parts have one or none.
    return list(spec.get("series_parts") or []) or ([spec["series_col"]]
                                                     if spec.get("series_col") else [])


def _period(firsts: list[str], lasts: list[str]) -> dict:
    # ISO strings; a step-indexed series shows its step numbers instead.
    first, last = min(firsts, default=None), max(lasts, default=None)
    if first is None or not is_steps(pd.DatetimeIndex([first, last])):
        return {"first": first, "last": last, "index": "time"}
    steps = step_numbers(pd.DatetimeIndex([first, last]))
    return {"first": int(steps[0]), "last": int(steps[1]), "index": "steps"}


def _freq(freq: object) -> object:
    """The grid's step: a step-indexed series' as its number of steps (1, 10), the way
    ``first`` and ``last`` give its step numbers; stored as nanoseconds ('10ns'), which
    read in JSON as a time step of 10 nanoseconds."""
    if not isinstance(freq, str) or not is_step_freq(freq):
        return freq
    return int(freq.rstrip("nsN") or 1)


def _fold_steps(fold: dict, freq: object) -> dict:
    # A step-indexed fold's bounds are stored as the text of step numbers ('3450'):
    # numbers here, as ``first`` and ``last`` are.
    if not isinstance(freq, str) or not is_step_freq(freq):
        return fold
    keys = ("train_start", "train_end", "val_start", "val_end")
    return {k: int(v) if k in keys and str(v).lstrip("-").isdigit() else v
            for k, v in fold.items()}


def _frequency(d: dict) -> str:
    # A step-indexed series' step is a number of steps (see _freq).
    if d.get("index") != "steps" or not isinstance(d["freq"], int):
        return str(d["freq"])
    return f"every {d['freq']} step(s)"


def _offsets(d: dict) -> str:
    """The UTC offsets the training file wrote its times with: predict, detect-anomalies
    and train --warm-start refuse a file that gained or lost them, and the cron log's
    error names them; here a user sees what the bundle expects before that."""
    offsets = d.get("time_offsets")
    if offsets is None:
        # Times written as numbers (Unix times, step numbers) carry no offset to record.
        return "not recorded, not checked (times written as numbers, or an older bundle)"
    return ", ".join(offsets) if offsets else "none (times taken as UTC)"


def _held(counters: dict) -> str:
    # "kwh (rises)" for a file of one series; "site-1: kwh (rises)" for several.
    return ", ".join(f"{name + ': ' if name else ''}{t} ({'rises' if w > 0 else 'falls'})"
                     for name, targets in counters.items() for t, w in targets.items()) or "-"


def _resampled(spec: dict) -> str | None:
    # The rows binned by --resample: the step and the aggregate, e.g. "h, sum"; bins of
    # steps as their number ("10 steps"), not as the nanoseconds stored ("10ns").
    if not spec.get("resample"):
        return None
    step = spec["resample"]
    step = f"{_freq(step)} steps" if is_step_freq(step) else step
    return f"{step}, {spec.get('aggregate', 'mean')}"


def _time_columns(spec: dict) -> str | None:
    # One column, or the columns a split timestamp was put together from; an empty header
    # cell as errors name it, not as pandas does ('Unnamed: 0').
    if spec.get("time_col") is not None:
        return column_label(spec["time_col"]) or None
    return " + ".join(spec.get("time_parts") or []) or None


def _mean(values: list) -> float | None:
    vals = [v for v in values if isinstance(v, int | float)]
    return float(np.mean(vals)) if vals else None


def _anomaly(section: dict | None) -> dict | None:
    if not section:
        return None
    keep = ("method", "threshold", "threshold_rule", "rule", "combine")
    out = {k: v for k, v in section.items() if k in keep or "threshold" in k}
    cfg = section.get("config") or {}
    # The network's shape and norm: --anomaly-norm auto's choice is only known from here.
    out.update({k: cfg[k] for k in ("window", "segment", "norm", "cell", "layers", "hidden",
                                    "latent", "bidirectional") if k in cfg})
    return out


def _short(value: object) -> str:
    """A threshold record as 'telemanom 3 (std 6.43, ...)'; other values as they are."""
    if not isinstance(value, dict) or "value" not in value:
        return str(value)
    others = ", ".join(f"{r} {v:.3g}" for r, v in (value.get("all_rules") or {}).items()
                       if r != value.get("rule"))
    return f"{value.get('rule')} {value['value']:.3g}" + (f" (other rules: {others})"
                                                           if others else "")


def render_info(summary: dict) -> str:
    """The summary as tables, laid out (and coloured) for stdout.

    Returned, not printed: rich's own stdout writes end the process with exit 1 when the
    reader of a pipe leaves, where ``io.write_stdout`` gives 141 as the other commands do.
    """
    # Not a terminal (a pipe, a file): no COLUMNS=10 may cut the facts to '…'. Drawn into
    # a string of its own: a capture still flushes stdout at its end, and a full disk
    # (or a closed stdout) behind it was an internal error, not write_stdout's Error line.
    tty = sys.stdout is not None and sys.stdout.isatty()
    console = Console(file=io.StringIO(), highlight=False, width=None if tty else 200,
                      force_terminal=tty)
    _print_info(console, summary)
    return console.file.getvalue()


def _series_line(d: dict) -> str:
    by = d.get("series_by") or []
    return f"{d['series']} (named by {', '.join(by)})" if by else str(d["series"])


def _print_info(console: Console, summary: dict) -> None:
    d = summary["data"]
    facts = [("bundle", summary["bundle"]), ("created", summary["created"]),
             ("data", d["path"]), ("sha256", (d["sha256"] or "")[:16]),
             ("time", d["time"] or "?"), ("UTC offsets in the times", _offsets(d)),
             ("frequency", _frequency(d)),
             ("rows binned (--resample)", d["resample"] or "-"),
             ("targets", ", ".join(d["targets"] or [])),
             ("columns", ", ".join(d["columns"] or [])), ("series", _series_line(d)),
             ("training period", f"{d['first']} .. {d['last']}"),
             ("filled values", str(d["n_filled"])),
             ("missing-value markers", ", ".join(d["na_values"]) or "-"),
             ("never forecast below 0", ", ".join(d["nonnegative"]) or "-"),
             ("held at last reading", _held(d["counters"])),
             ("model", ", ".join(f"{k}={v}" for k, v in summary["forecaster"].items())),
             ("versions", ", ".join(f"{k} {v}" for k, v in summary["versions"].items())),
             ("kept versions", _kept_line(summary))]
    if summary["anomaly"]:
        facts.append(("anomaly", ", ".join(f"{k}={_short(v)}"
                                           for k, v in summary["anomaly"].items())))
    warm = summary.get("warm_start")
    if warm:
        facts.append(("warm start", f"from version {warm.get('from')}: "
                      f"{', '.join(warm.get('inherited', []))} carried over, not re-measured"))
    set_by = _set_by(summary["sources"])
    if set_by:
        facts.append(("settings set by", set_by))
    table = Table(show_header=False, title="Model bundle", title_justify="left")
    for key, value in facts:
        table.add_row(key, str(value))
    console.print(table)
    _fold_table(console, summary["folds"], bool(warm))


def _kept_line(summary: dict) -> str:
    # The names, newest first (they say when each was trained), and rollback's target.
    back = summary.get("rollback_to")
    names = ", ".join(reversed(summary.get("kept") or [])) or "-"
    return names + (f" (rollback returns to {back})" if back
                    else " (nothing older to roll back to)")


def _set_by(sources: dict) -> str:
    """The options not left at their defaults, grouped by where they came from ("flag:
    epochs, hidden; flag (kept by --warm-start): target"): after a few warm starts most
    options are kept ones, and a source repeated after each name hid the few given."""
    groups: dict[str, list[str]] = {}
    for name, source in sources.items():
        if source != "default":
            groups.setdefault(str(source), []).append(name)
    return "; ".join(f"{source}: {', '.join(names)}" for source, names in groups.items())


def _fold_table(console: Console, folds: list[dict], carried: bool = False) -> None:
    if not folds:
        return
    title = "Fold metrics (raw scale" + ("; carried over by --warm-start)" if carried else ")")
    table = Table(title=title, title_justify="left")
    for col in ("fold", "validation", "MAE", "RMSE", "MASE", "naive MAE",
                "seasonal naive MAE"):
        table.add_column(col, justify="right")
    for f in folds:
        table.add_row(*fold_row(f, ("mae", "rmse", "mase", "naive_mae", "snaive_mae")))
    console.print(table)


def fold_row(fold: dict, metrics: tuple[str, ...]) -> list[str]:
    """A fold's table row: its number, validation period and the given metrics (MASE to 3
    decimals, the others to 4 digits, n/a where a fold had nothing to score)."""
    return [str(fold["fold"]), f"{str(fold['val_start'])[:16]} .. {str(fold['val_end'])[:16]}",
            *("n/a" if fold.get(k) is None else format(fold[k], ".3f" if k == "mase" else ".4g")
              for k in metrics)]
