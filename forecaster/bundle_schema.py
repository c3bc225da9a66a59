"""The shape of a bundle's metadata, checked on load.

A hand-edited or half-restored ``bundle.json`` that is valid JSON but lacks a key, or holds
a list where an object belongs, would otherwise surface as a KeyError deep inside predict
or detect-anomalies (an internal error, exit 70) instead of "this bundle is damaged" (78).
"""

from __future__ import annotations

import re
from pathlib import Path

from forecaster.errors import BundleError

NUMBER = (int, float)
MISSING = object()  # _lookup's answer for a path that is not there
# Key path -> the type(s) it must hold.
SHAPE: dict[tuple[str, ...], type | tuple[type, ...]] = {
    ("data",): dict,
    ("data", "freq"): str,
    ("data", "spec"): dict,
    ("data", "spec", "targets"): list,
    ("data", "targets"): list,
    ("data", "columns"): list,
    ("forecaster",): dict,
    ("forecaster", "config"): dict,
    ("forecaster", "config", "window"): int,
    ("forecaster", "config", "horizon"): int,
    ("scalers",): dict,
}
ANOMALY: dict[tuple[str, ...], type | tuple[type, ...]] = {
    ("anomaly",): dict,
    ("anomaly", "config"): dict,
    ("anomaly", "normalisation"): dict,
    ("anomaly", "threshold"): dict,
    ("anomaly", "threshold", "value"): NUMBER,
    ("anomaly", "threshold", "rule"): str,
}


# Keys of newer bundles, absent from older ones: checked only where present.
IF_PRESENT: dict[tuple[str, ...], type | tuple[type, ...]] = {
    ("forecaster", "nonnegative"): list,
    ("forecaster", "counters"): dict,
}


def check_shape(meta: dict, where: Path) -> None:
    """Raise BundleError naming the first key that is missing or of the wrong type.

    Steps recorded in pandas' old spellings are rewritten in place to this pandas'.
    """
    for path, kind in SHAPE.items():
        _check(meta, path, kind, where)
    for path, kind in IF_PRESENT.items():
        if _lookup(meta, path) is not MISSING:
            _check(meta, path, kind, where)
    if meta.get("anomaly"):  # absent or null: trained with --no-anomaly
        for path, kind in ANOMALY.items():
            _check(meta, path, kind, where)
    data = meta["data"]
    data["freq"] = modern_alias(data["freq"])
    settings = (meta.get("settings") or {}).get("data")  # what --warm-start continues
    for spec in (data["spec"], settings if isinstance(settings, dict) else {}):
        for key in ("freq", "resample"):
            if isinstance(spec.get(key), str):
                spec[key] = modern_alias(spec[key])
    _check_freq(data["freq"], where)


def _check(meta: dict, path: tuple[str, ...], kind: type | tuple[type, ...],
           where: Path) -> None:
    node = _lookup(meta, path)
    if node is MISSING:
        raise BundleError(f"{where}: bundle metadata lacks '{'.'.join(path)}'; the bundle "
                          "is damaged: retrain with 'forecast train'")
    if isinstance(node, bool) or not isinstance(node, kind):
        raise BundleError(f"{where}: bundle metadata '{'.'.join(path)}' holds "
                          f"{type(node).__name__}, not {_name(kind)}; the bundle is damaged: "
                          "retrain with 'forecast train'")


def _lookup(meta: dict, path: tuple[str, ...]) -> object:
    """The value at ``path``, or MISSING."""
    node: object = meta
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


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


def _check_freq(freq: str, where: Path) -> None:
    import pandas as pd

    try:
        pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        raise BundleError(f"{where}: bundle metadata 'data.freq' holds '{freq}', not a "
                          "frequency; the bundle is damaged: retrain with 'forecast train'"
                          ) from None


def _name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {"dict": "an object", "list": "a list", "str": "a string", "int": "a number",
             "float": "a number"}
    return " or ".join(dict.fromkeys(words[k.__name__] for k in kinds))
