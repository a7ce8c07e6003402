"""The typing suite: tests/typing/cases under mypy --strict and pyright strict.

Each case file holds expected types (``assert_type``) and expected errors: a
line that must fail carries ``# type: ignore[code]`` for mypy (run with
``--warn-unused-ignores``) and ``# pyright: ignore[rule]`` for pyright (run
with ``reportUnnecessaryTypeIgnoreComment`` and ``enableTypeIgnoreComments``
off, so neither checker reads the other's comment). A missing error is then
an unused ignore, a wrong type an ``assert_type`` failure: both fail here.
One process per checker for the whole directory.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CASES = HERE / "cases"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.fail(f"{name} is not installed: run `make venv` (it is a dev extra)")
    return which


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_enough_cases() -> None:
    text = "\n".join(p.read_text() for p in CASES.glob("case_*.py"))
    expected_types = len(re.findall(r"^\s*[^#\n]*\bassert_type\(", text, re.M))
    expected_errors = len(
        re.findall(r"# type: ignore\[[^\]]+\]  # pyright: ignore", text)
    )
    assert expected_types + expected_errors >= 40, (expected_types, expected_errors)


def test_mypy_strict() -> None:
    result = _run(
        _tool("mypy"),
        "--strict",
        "--warn-unused-ignores",
        "--config-file",
        "pyproject.toml",
        str(CASES.relative_to(ROOT)),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyright_strict() -> None:
    result = _run(
        _tool("pyright"),
        "--pythonpath",
        sys.executable,
        "-p",
        str(HERE.relative_to(ROOT)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
