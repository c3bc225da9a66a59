"""How much a command says on stderr: --quiet or --verbose, never both from one place."""

from __future__ import annotations

import typer

from forecaster.errors import ConfigError

# Where an option's value came from (``sources_of``), strongest first, as the options'
# own precedence goes: flag > environment > the command's table of the file > its top level.
_RANKS = (("flag", 4), ("environment", 3), ("file", 1))
_TABLE = ", table ["


def chatter(ctx: typer.Context, quiet: bool, verbose: bool) -> tuple[bool, bool]:
    """``quiet`` and ``verbose``, the weaker of the two dropped where both are set from
    different places (a typed --quiet over FORECAST_VERBOSE=1 in a crontab).

    Raises:
        ConfigError: both set in one place: which to follow is the user's to say.
    """
    if not (quiet and verbose):
        return quiet, verbose
    from forecaster.cli.common import sources_of

    sources = sources_of(ctx)
    said = {name: sources.get(name, "default") for name in ("quiet", "verbose")}
    quiet_rank, verbose_rank = (_rank(source) for source in said.values())
    if quiet_rank == verbose_rank:
        where = ("were both given" if said["quiet"] == "flag" else
                 f"are both set ({said['quiet']}, {said['verbose']})")
        raise ConfigError(f"--quiet and --verbose {where}; expected one of them: drop "
                          "--quiet for more detail, or --verbose for only warnings and errors")
    return quiet_rank > verbose_rank, verbose_rank > quiet_rank


def _rank(source: str) -> int:
    rank = next((rank for kind, rank in _RANKS if source.startswith(kind)), 0)
    return rank + (_TABLE in source)
