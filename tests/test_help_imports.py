"""`forecast --help` must answer without importing the heavy stack."""

import subprocess
import sys

HEAVY = ("torch", "pandas", "numpy", "sklearn", "matplotlib", "scipy")


def _modules_after(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        f"sys.argv = ['forecast', *{args!r}]\n"
        "from forecaster.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stderr.split())


def test_help_imports_nothing_heavy() -> None:
    loaded = _modules_after(["--help"])
    assert not {m for m in HEAVY if m in loaded}


def test_command_help_imports_nothing_heavy() -> None:
    for cmd in ("train", "predict", "detect-anomalies", "backtest", "info", "rollback"):
        loaded = _modules_after([cmd, "--help"])
        assert not {m for m in HEAVY if m in loaded}, cmd


def test_python_dash_m_works() -> None:
    out = subprocess.run([sys.executable, "-m", "forecaster", "--help"], capture_output=True,
                         text=True)
    assert out.returncode == 0
    assert "train" in out.stdout and "predict" in out.stdout


def test_usage_error_is_one_error_line() -> None:
    out = subprocess.run([sys.executable, "-m", "forecaster", "train", "x.csv", "--window", "1"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "--window" in lines[0]


def test_version_and_a_bare_forecast_import_nothing_heavy() -> None:
    import forecaster

    for args in (["--version"], []):
        assert not {m for m in HEAVY if m in _modules_after(args)}, args
    out = subprocess.run([sys.executable, "-m", "forecaster", "--version"], capture_output=True,
                         text=True)
    assert out.returncode == 0 and out.stdout == f"forecast {forecaster.__version__}\n"


def test_a_bare_forecast_shows_its_help_not_an_error() -> None:
    # It printed 'Error: Usage: ...' with the whole help inside the error line.
    out = subprocess.run([sys.executable, "-m", "forecaster"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.startswith("Usage: ") and "Commands:" in out.stderr
    assert "Error" not in out.stderr
