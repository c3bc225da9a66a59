"""The shape of a bundle's metadata, checked on load.

A hand-edited or half-restored ``bundle.json`` that is valid JSON but lacks a key, or holds
a list where an object belongs, would otherwise surface as a KeyError deep inside predict
or detect-anomalies (an internal error, exit 70) instead of "this bundle is damaged" (78).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from forecaster.data.spec import AGGREGATES, DUPLICATE_POLICIES, FILL_POLICIES
from forecaster.errors import BundleError
from forecaster.limits import CELLS, COMBINES, THRESHOLD_RULES

MISSING = object()  # lookup's answer for a path that is not there


@dataclass(frozen=True)
class Kind:
    """What a key must hold: a test of the value, and its name in the message."""

    test: Callable[[object], bool]
    name: str


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _timestamp(v: object) -> bool:
    import pandas as pd

    try:
        return isinstance(v, str) and pd.Timestamp(v) is not pd.NaT
    except (ValueError, TypeError, OverflowError):
        return False


OBJECT = Kind(lambda v: isinstance(v, dict), "an object")
TEXT = Kind(lambda v: isinstance(v, str), "a string")
TEXT_OR_NULL = Kind(lambda v: v is None or isinstance(v, str), "a string or null")
FLAG = Kind(lambda v: isinstance(v, bool), "true or false")
NUMBER = Kind(_number, "a number")
def _whole(v: object) -> bool:
    # 14.0 is no count: a slice of it was an internal error deep in predict.
    return isinstance(v, int) and not isinstance(v, bool)


COUNT = Kind(lambda v: _whole(v) and v >= 1, "a whole number of at least 1")
LIST = Kind(lambda v: isinstance(v, list), "a list")
TEXTS = Kind(lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
             "a list of strings")
NUMBERS = Kind(lambda v: isinstance(v, list) and all(_number(x) for x in v), "a list of numbers")
TIME = Kind(_timestamp, "a timestamp")
COUNTS = Kind(lambda v: isinstance(v, list) and all(_whole(x) and x >= 0 for x in v),
              "a list of whole numbers from 0")
COUNTS_OR_NULL = Kind(lambda v: v is None or COUNTS.test(v), "a list of whole numbers from 0, "
                      "or null")
LEVELS = Kind(lambda v: isinstance(v, list) and all(
    isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 and _number(p[0])
                                    and _whole(p[1]) and p[1] >= 1 for p in pairs)
    for pairs in v), "a list of [value, limit] lists per column")
DIRECTION = Kind(lambda v: _whole(v) and v in (1, -1), "1 or -1")
SHARE = Kind(lambda v: _number(v) and 0 <= v < 1, "a number from 0 to under 1")


def one_of(*names: str) -> Kind:
    """A string from ``names``."""
    return Kind(lambda v: v in names, "one of " + ", ".join(names))


# Key path -> what it must hold; "*" stands for every key of an object. A hand-edited
# bundle that breaks one of these fails here, not as a TypeError inside predict.
SHAPE: dict[tuple[str, ...], Kind] = {
    ("data",): OBJECT,
    ("data", "freq"): TEXT,
    ("data", "spec"): OBJECT,
    ("data", "spec", "targets"): TEXTS,
    ("data", "targets"): TEXTS,
    ("data", "columns"): TEXTS,
    ("forecaster",): OBJECT,
    ("forecaster", "config"): OBJECT,
    ("forecaster", "config", "window"): COUNT,
    ("forecaster", "config", "horizon"): COUNT,
    ("scalers",): OBJECT,
    ("scalers", "*"): OBJECT,
    ("scalers", "*", "mean"): NUMBERS,
    ("scalers", "*", "scale"): NUMBERS,  # each above 0: see bundle_values
}
ANOMALY: dict[tuple[str, ...], Kind] = {
    ("anomaly",): OBJECT,
    ("anomaly", "config"): OBJECT,
    ("anomaly", "normalisation"): OBJECT,
    ("anomaly", "normalisation", "center"): NUMBERS,
    ("anomaly", "normalisation", "scale"): NUMBERS,
    ("anomaly", "threshold"): OBJECT,
    ("anomaly", "threshold", "value"): NUMBER,
    ("anomaly", "threshold", "rule"): one_of(*THRESHOLD_RULES),
    ("anomaly", "threshold", "k"): NUMBER,
    **{("anomaly", "threshold", k): SHARE for k in ("q", "trim", "prune")},
    ("anomaly", "smooth"): COUNT,
    ("anomaly", "combine"): one_of(*COMBINES),
}
# Keys that older bundles may lack: checked only where present.
IF_PRESENT: dict[tuple[str, ...], Kind] = {
    ("data", "path"): TEXT,
    ("data", "sha256"): TEXT,
    ("data", "series"): OBJECT,
    ("data", "series", "*"): OBJECT,
    ("data", "series", "*", "first"): TIME,
    ("data", "series", "*", "last"): TIME,
    ("data", "series", "*", "rows"): COUNT,  # each entry's keys: see _check_entries
    ("data", "time_offsets"): TEXTS,  # [] for times without one
    **{("data", "spec", k): TEXTS for k in ("features", "time_parts", "series_parts")},
    **{("data", "spec", k): TEXT_OR_NULL for k in ("freq", "resample", "series_col", "time_col")},
    **{("forecaster", "config", k): COUNT
       for k in ("hidden", "layers", "segment", "n_channels", "n_targets")},
    **{("forecaster", "config", k): FLAG for k in ("embed", "layer_norm")},
    ("forecaster", "config", "dropout"): NUMBER,
    ("forecaster", "config", "cell"): one_of(*CELLS),
    # A value a release never wrote changed the forecast silently (a norm of "bogus").
    ("forecaster", "config", "norm"): one_of("last", "revin", "none", "diff"),
    ("data", "spec", "fill"): one_of(*FILL_POLICIES),
    ("data", "spec", "duplicates"): one_of(*DUPLICATE_POLICIES),
    ("data", "spec", "aggregate"): one_of(*AGGREGATES),
    ("forecaster", "members"): COUNT,
    ("forecaster", "nonnegative"): TEXTS,
    ("forecaster", "counters"): OBJECT,
    ("forecaster", "counters", "*"): OBJECT,
    ("forecaster", "counters", "*", "*"): DIRECTION,
    **{("scalers", "*", k): NUMBERS for k in ("min", "max")},  # the training range
    ("settings",): OBJECT,
    ("versions",): OBJECT,
    ("metrics",): OBJECT,
}
ANOMALY_IF_PRESENT: dict[tuple[str, ...], Kind] = {
    **{("anomaly", "config", k): COUNT
       for k in ("window", "segment", "hidden", "latent", "layers", "n_channels")},
    **{("anomaly", "config", k): FLAG for k in ("bidirectional", "layer_norm")},
    ("anomaly", "config", "dropout"): NUMBER,
    ("anomaly", "config", "cell"): one_of(*CELLS),
    ("anomaly", "config", "norm"): one_of("none", "revin"),
    ("anomaly", "config", "norm_channels"): COUNTS_OR_NULL,
    ("anomaly", "normalisation", "columns"): TEXTS,
    ("anomaly", "threshold", "all_rules"): OBJECT,
    ("anomaly", "threshold", "all_rules", "*"): NUMBER,
    ("anomaly", "threshold", "gap"): COUNT,
    ("anomaly", "stuck"): OBJECT,
    ("anomaly", "stuck", "limits"): OBJECT,
    ("anomaly", "stuck", "limits", "*"): COUNTS,
    ("anomaly", "stuck", "levels"): OBJECT,
    ("anomaly", "stuck", "levels", "*"): LEVELS,
}


def check_shape(meta: dict, where: Path) -> None:
    """Raise BundleError naming the first key that is missing or holds the wrong kind.

    Steps recorded in pandas' old spellings are rewritten in place to this pandas'.
    """
    tables = [(SHAPE, True), (IF_PRESENT, False)]
    if meta.get("anomaly"):  # absent or null: trained with --no-anomaly
        tables += [(ANOMALY, True), (ANOMALY_IF_PRESENT, False)]
    for table, required in tables:
        for path, kind in table.items():
            for found, node in lookup(meta, path):
                check_kind(found, node, kind, required, where)
    _check_entries(meta, where)
    data = meta["data"]
    data["freq"] = modern_alias(data["freq"])
    settings = (meta.get("settings") or {}).get("data")  # what --warm-start continues
    for spec in (data["spec"], settings if isinstance(settings, dict) else {}):
        for key in ("freq", "resample"):
            if isinstance(spec.get(key), str):
                spec[key] = modern_alias(spec[key])
    _check_freq("data.freq", data["freq"], where)
    for key in ("freq", "resample"):  # else blamed on an option never typed (exit 2)
        if data["spec"].get(key) is not None:
            _check_freq(f"data.spec.{key}", data["spec"][key], where)


def _check_entries(meta: dict, where: Path) -> None:
    """Each series entry holds all its keys, and lists that pair up are of one length."""
    for name, entry in (meta["data"].get("series") or {}).items():
        for key in ("first", "last", "rows"):
            if key not in entry:
                check_kind(("data", "series", name, key), MISSING, TEXT, True, where)
    width = len(meta["data"]["columns"])
    _check_scalers(meta, width, where)
    stuck = (meta.get("anomaly") or {}).get("stuck") or {}
    for key in ("limits", "levels"):
        for name, limits in (stuck.get(key) or {}).items():
            if len(limits) != width:
                raise BundleError(f"{where}: bundle metadata 'anomaly.stuck.{key}.{name}' "
                                  f"holds {len(limits)} {key[:-1]}(s) for {width} column(s); "
                                  "the bundle is damaged: retrain with 'forecast train'")
    norm = (meta.get("anomaly") or {}).get("normalisation") or {}
    if norm and not len(norm["center"]) == len(norm["scale"]) == len(
            norm.get("columns", meta["data"]["columns"])):
        raise BundleError(f"{where}: bundle metadata 'anomaly.normalisation' holds "
                          f"{len(norm['center'])} center(s) and {len(norm['scale'])} "
                          f"scale(s) for {width} column(s); the bundle is damaged: retrain "
                          "with 'forecast train'")


def _check_scalers(meta: dict, width: int, where: Path) -> None:
    """Each scaler holds one mean, scale and (where kept) training range per column."""
    for name, scaler in meta["scalers"].items():
        if not len(scaler["mean"]) == len(scaler["scale"]) == width:
            raise BundleError(f"{where}: bundle metadata 'scalers.{name}' holds "
                              f"{len(scaler['mean'])} mean(s) and {len(scaler['scale'])} "
                              f"scale(s) for {width} column(s); the bundle is damaged: "
                              "retrain with 'forecast train'")
        for key in ("min", "max"):  # older bundles lack the range: the drift gate copes
            if len(scaler.get(key, [None] * width)) != width:
                raise BundleError(f"{where}: bundle metadata 'scalers.{name}.{key}' holds "
                                  f"{len(scaler[key])} value(s) for {width} column(s); the "
                                  "bundle is damaged: retrain with 'forecast train'")


def check_kind(path: tuple[str, ...], node: object, kind: Kind, required: bool,
               where: Path) -> None:
    """Raise BundleError if ``node`` at ``path`` is MISSING and required, or not ``kind``."""
    name = ".".join(path)
    if node is MISSING:
        if required:
            raise BundleError(f"{where}: bundle metadata lacks '{name}'; the bundle is "
                              "damaged: retrain with 'forecast train'")
        return
    if not kind.test(node):
        raise BundleError(f"{where}: bundle metadata '{name}' holds {_shown(node)}, not "
                          f"{kind.name}; the bundle is damaged: retrain with 'forecast train'")


def lookup(meta: dict, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], object]]:
    """(concrete path, value) for every key ``path`` names ("*": each key of an object);
    one (path, MISSING) where a named key is not there."""
    found: list[tuple[tuple[str, ...], object]] = [((), meta)]
    for key in path:
        step: list[tuple[tuple[str, ...], object]] = []
        for at, node in found:
            if not isinstance(node, dict):
                step.append((at + (key,), MISSING))
            elif key == "*":
                step += [(at + (k,), v) for k, v in node.items()]
            else:
                step.append((at + (key,), node.get(key, MISSING)))
        found = step
    return found


def _shown(node: object) -> str:
    if isinstance(node, (dict, list)) or node is None:
        return {dict: "an object", list: "a list"}.get(type(node), "null")
    return repr(node) if len(repr(node)) <= 40 else type(node).__name__


# pandas before 2.2 wrote steps as "H", "15T", "M", "A-DEC"; pandas 3 refuses them, and a
# bundle trained under pandas 2.1 (Ubuntu 24.04's) became "damaged" on an upgrade.
OLD_ALIASES = {"H": "h", "BH": "bh", "CBH": "cbh", "T": "min", "S": "s", "L": "ms", "U": "us",
               "N": "ns", "M": "ME", "BM": "BME", "SM": "SME", "CBM": "CBME", "Q": "QE",
               "BQ": "BQE", "A": "YE", "Y": "YE", "BA": "BYE", "BY": "BYE", "AS": "YS",
               "BAS": "BYS"}


def modern_alias(alias: str) -> str:
    """``alias`` as this pandas spells it: as it is if it parses, else its new spelling."""
    import pandas as pd

    try:
        pd.tseries.frequencies.to_offset(alias)
        return alias
    except ValueError:
        pass
    found = re.fullmatch(r"(\d*)([A-Za-z]+)(-[A-Z]{3})?", alias)
    if found is None or found[2] not in OLD_ALIASES:
        return alias
    new = f"{found[1]}{OLD_ALIASES[found[2]]}{found[3] or ''}"
    try:
        pd.tseries.frequencies.to_offset(new)
    except ValueError:
        return alias
    return new


def _check_freq(name: str, freq: str, where: Path) -> None:
    from forecaster.data.month_days import to_step

    try:
        to_step(freq)
    except ValueError:
        raise BundleError(f"{where}: bundle metadata '{name}' holds '{freq}', not a "
                          "frequency; the bundle is damaged: retrain with 'forecast train'"
                          ) from None
