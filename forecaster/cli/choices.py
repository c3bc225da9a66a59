"""Choice options' values (``--cell``, ``--format``, ``--method`` ...), read whatever their
case: the papers write ``LSTM``, and ``--format JSON`` reads as a suffix's ``.JSON`` does."""

from __future__ import annotations

from forecaster.errors import ConfigError


def check_choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` as the allowed one it names, in any case (``--cell LSTM`` was refused).

    Raises:
        ConfigError: naming the value as given and the values allowed.
    """
    if str(value).lower() not in allowed:
        raise ConfigError(f"{option} {value}: expected one of {', '.join(allowed)}")
    return str(value).lower()
