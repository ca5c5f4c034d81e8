"""The floors of docs/architecture.md are the import-linter contract, and the contract bites.

The picture in the docs is drawn from ``pyproject.toml`` by ``tools/floors.py``; the contract is
checked by ``lint-imports`` in ``make lint``. Here: the drawing is current, the tree as it stands
keeps the contract, and the same tree with one import going up (``core`` importing an app) or
sideways (one feature app importing another) is refused, naming the import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _drawn() -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "floors.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _documented() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    begin = text.index("<!-- floors:begin")
    body = text[text.index("\n", begin) + 1 : text.index("<!-- floors:end -->")]
    return body.strip()


def test_the_documented_floors_are_the_contract():
    drawn = _drawn()
    assert "vinculo.core" in drawn and "flowchart TB" in drawn
    assert _documented() == drawn, "run `python tools/floors.py --write`"


def _scratch_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT / "src" / "vinculo",
        tree / "src" / "vinculo",
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates", "*.mo"),
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return _scratch_tree(tmp_path_factory.mktemp("floors"))


def test_the_tree_keeps_the_floors(scratch):
    result = _lint_imports(scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "refusal"),
    [
        (
            "core/errors.py",
            "from vinculo.contacts import models as _contacts  # noqa\n",
            "vinculo.core is not allowed to import vinculo.contacts",
        ),
        (
            "events/models.py",
            "from vinculo.webforms import models as _webforms  # noqa\n",
            "vinculo.events is not allowed to import vinculo.webforms",
        ),
    ],
    ids=["up", "sideways"],
)
def test_an_import_against_the_floors_is_refused(scratch, module, line, refusal):
    path = scratch / "src" / "vinculo" / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + line, encoding="utf-8")
    try:
        result = _lint_imports(scratch)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert refusal in result.stdout
