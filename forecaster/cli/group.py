"""The ``forecast`` group itself: where a usage error points, and help that stdout cannot
take.

Kept free of heavy imports: ``forecast --help`` goes through here.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from forecaster.errors import EXIT_CANT_WRITE, EXIT_PIPE_CLOSED


class ForecastGroup(TyperGroup):
    """typer's group, with the help of every command written as the commands' output is."""

    def get_help_option(self, ctx: Any) -> Any:
        """``forecast --help``, printed by ``show_help``."""
        return _printed_by_us(super().get_help_option(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A command, its --help printed by ``show_help``."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _printed_by_us(command.get_help_option(ctx))
        return command

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


def show_help(ctx: Any, param: Any, value: bool) -> None:
    """The --help option's callback: the help on stdout, then exit 0."""
    if value and not ctx.resilient_parsing:
        print_stdout(ctx.get_help() + "\n", "the help")
        ctx.exit()


def print_stdout(text: str, what: str) -> None:
    """Write ``text`` (``what`` it is, for the error) to stdout, ending the run as a
    command's output does when stdout cannot take it: 141, quietly, when the reader of a
    pipe left (``| head``); 73 with one Error line on a full disk or a closed stdout.

    (``forecaster.io.write_stdout`` does this for the commands, but imports pandas.)
    """
    from forecaster.cli.common import error_line

    if sys.stdout is None:  # started with stdout closed (`>&-`)
        error_line(f"stdout is closed, so {what} has nowhere to go; run the command with "
                   "stdout open")
        raise typer.Exit(EXIT_CANT_WRITE)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
        raise typer.Exit(EXIT_PIPE_CLOSED) from None
    except OSError as exc:
        _drop_stdout()
        from forecaster.output_target import stdout_todo

        error_line(f"cannot write {what} to stdout ({exc.strerror or exc}); "
                   f"{stdout_todo(exc)}")
        raise typer.Exit(EXIT_CANT_WRITE) from None


def _drop_stdout() -> None:
    """Point stdout at /dev/null: the interpreter's final flush of the text still held
    would fail again, with a traceback and another exit code."""
    # A stream with no file descriptor (a test's capture) holds nothing to flush there.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _printed_by_us(option: Any) -> Any:
    if option is not None:
        option.callback = show_help
    return option
