"""What to type instead, added to the option parser's errors for the commonest slips."""

from __future__ import annotations

import re
from typing import Any

_NO_COMMAND = re.compile(r"No such command '(?P<name>[^']+)'")
_EXTRA = re.compile(r"unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)")


def usage_hint(exc: Exception, message: str) -> str:
    """What to add to a parser error ``message`` ("; to read another file, give it as
    --data x.csv"), or "" when no hint fits.

    The parser suggests only names a few letters off: `forecast detect` got no
    suggestion, a data file given to predict as an argument was "unexpected", and
    `--level 0.9` was told to be at least 1 without saying that it is a percent.
    """
    ctx = getattr(exc, "ctx", None)
    for hint in (_command_hint(ctx, message), _data_hint(ctx, message),
                 _level_hint(exc, message)):
        if hint:
            return hint
    return ""


def _command_hint(ctx: Any, message: str) -> str:
    found = _NO_COMMAND.search(message)
    commands = getattr(getattr(ctx, "command", None), "commands", None)
    if not found or not commands or "Did you mean" in message:
        return ""
    name = found["name"].lower()
    near = sorted(c for c in commands if c.startswith(name) or name.startswith(c))
    return f" Did you mean '{near[0]}'?" if len(near) == 1 else ""  # as the parser words it


def _data_hint(ctx: Any, message: str) -> str:
    found = _EXTRA.search(message)
    params = getattr(getattr(ctx, "command", None), "params", ())
    if not found or not any(p.name == "data" and p.param_type_name == "option"
                            for p in params):
        return ""
    first = found["args"].split()[0] if found["args"].split() else "FILE"
    return f"; to read another file, give it as --data {first}"


def _level_hint(exc: Exception, message: str) -> str:
    param = getattr(exc, "param", None)
    if getattr(param, "name", None) != "level" or "greater than or equal" not in message:
        return ""
    return "; --level is a percent (90 for a 90 % interval, not 0.9)"
