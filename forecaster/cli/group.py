"""The ``forecast`` group itself: where a usage error points.

Kept free of heavy imports: ``forecast --help`` goes through here.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup


class ForecastGroup(TyperGroup):
    """typer's group, whose usage errors name the command they are about."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command, giving a usage error of its options this context if it has none.

        The option parser raises "Option '--level' requires an argument" without one: the
        hint then sent the user to 'forecast --help' rather than the command's help.
        """
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if hasattr(exc, "format_message") and getattr(exc, "ctx", False) is None:
                exc.ctx = ctx  # the command's name is in ctx.invoked_subcommand
            raise


def command_path(ctx: Any) -> str:
    """The command a usage error is about: 'forecast predict', or 'forecast'."""
    path = getattr(ctx, "command_path", None) or "forecast"
    if ctx is not None and ctx.parent is None and ctx.invoked_subcommand:
        return f"{path} {ctx.invoked_subcommand}"
    return path
