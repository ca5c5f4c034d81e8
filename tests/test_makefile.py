"""`make run` says what it is doing while it installs and takes PORT/HOST (README)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(tmp_path: Path, *args: str) -> str:
    """What `make run` would execute on a fresh clone (no virtualenv yet), without running it."""
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run", f"VENV={tmp_path / 'venv'}", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_make_run_announces_every_step_and_lets_pip_talk(tmp_path: Path) -> None:
    commands = dry_run(tmp_path)
    steps = [line for line in commands.splitlines() if line.startswith("echo") and "==>" in line]
    assert len(steps) == 4, commands
    assert "virtualenv" in steps[0] and "Installing" in steps[2] and "serving" in steps[3]
    installs = [line for line in commands.splitlines() if "pip install" in line]
    assert installs and all("--quiet" not in line and " -q" not in line for line in installs)


def test_make_run_takes_port_and_host_as_documented(tmp_path: Path) -> None:
    commands = dry_run(tmp_path, "PORT=8080", "HOST=0.0.0.0")
    assert "vinculo serve --demo --host 0.0.0.0 --port 8080" in commands
    assert "http://0.0.0.0:8080" in commands
    assert "make run PORT=8080 HOST=0.0.0.0" in (ROOT / "README.md").read_text(encoding="utf-8")
