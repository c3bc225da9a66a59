"""The project's error type and its exit codes (see README, "Exit codes").

Kept free of heavy imports: the CLI imports it before anything else.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ANOMALIES = 1
EXIT_USAGE = 2
EXIT_DATA = 65
EXIT_NO_INPUT = 66
EXIT_INTERNAL = 70
EXIT_CANT_WRITE = 73
EXIT_NO_PERM = 77  # a refusal no check of the command's own named (see errors_to_exit)
EXIT_LOCKED = 75
EXIT_BAD_BUNDLE = 78
EXIT_INTERRUPTED = 130
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, what a shell reports for a writer cut off by `| head`
EXIT_TERMINATED = 143


class ForecastError(Exception):
    """A problem the user can fix; the CLI prints it as one ``Error:`` line.

    Attributes:
        exit_code: the process exit code that goes with it.
        denied: a permission refused to this account (see ``forecaster.access``), which
            neither a retrain nor a rollback fixes: messages say so, not "damaged".
    """

    exit_code = EXIT_INTERNAL
    denied = False

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class DataError(ForecastError):
    """The input data is malformed or unsuitable."""

    exit_code = EXIT_DATA


class TrainOptionError(DataError):
    """Bad input data whose fix is an option of ``train`` (``--series-col``).

    Attributes:
        reading: the message for the commands that read data with the bundle's choices
            (predict, detect-anomalies), which have no such option: retrain with it.
    """

    def __init__(self, message: str, reading: str) -> None:
        super().__init__(message)
        self.reading = reading


class MissingInputError(ForecastError):
    """An input file or model bundle does not exist."""

    exit_code = EXIT_NO_INPUT


class OutputError(ForecastError):
    """An output file or the model bundle cannot be written."""

    exit_code = EXIT_CANT_WRITE


class BundleError(ForecastError):
    """A model bundle is unreadable, damaged or of an incompatible format."""

    exit_code = EXIT_BAD_BUNDLE


class ConfigError(ForecastError):
    """An option value or combination is invalid."""

    exit_code = EXIT_USAGE


class NotFittedError(ForecastError, ValueError, AttributeError):
    """A model was used before it was fitted (a ValueError and an AttributeError too, as
    scikit-learn's is, so that code written against scikit-learn catches it)."""

    exit_code = EXIT_INTERNAL
