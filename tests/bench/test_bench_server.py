"""Smoke test of bench/server/run.py: the harness still runs and prints rows.

No timing is asserted: the numbers only have to be numbers. The dev venv has
no peer packages, so only the hand-wired and fastapi-everywhere rows run
(the peers' rows say "n/a"). The server test needs wrk, a Debian package that
``make system-deps`` installs (``make test`` and CI run it first).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "bench" / "server" / "run.py"
COLUMNS = {"req/s": 2, "in-proc CPU µs/req": 8, "in-proc vs hand": 9}
AGAIN = "hand-wired again (A/A control)"


def _run(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--systems", "flask", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _cell(table: str, row: str, column: str) -> str:
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:2] == ["flask", row]:
            return cells[COLUMNS[column]]
    raise AssertionError(f"no row {row!r} in:\n{table}")


def _number(text: str) -> float:
    assert re.fullmatch(r"[\d,]+(\.\d+)?", text), text
    return float(text.replace(",", ""))


def test_in_process_rows_are_numbers() -> None:
    table = _run("--no-server")
    for row in ("hand-wired", AGAIN, "fastapi-everywhere"):
        assert _number(_cell(table, row, "in-proc CPU µs/req")) > 0
    # The A/A control row is a difference to the hand-wired row, like ours.
    assert re.fullmatch(r"[+-][\d.]+ µs", _cell(table, AGAIN, "in-proc vs hand"))
    assert "TEARDOWN" not in table


@pytest.mark.skipif(
    shutil.which("wrk") is None,
    reason="wrk is not installed: `make system-deps` installs it (make test and CI do)",
)
def test_server_rows_are_numbers() -> None:
    table = _run("--no-inproc")
    for row in ("hand-wired", AGAIN, "fastapi-everywhere"):
        assert _number(_cell(table, row, "req/s")) > 0
    assert "TEARDOWN" not in table
    assert "errors" not in table


INSTRUCTIONS = ROOT / "bench" / "server" / "instructions.py"


@pytest.mark.skipif(
    shutil.which("valgrind") is None,
    reason="valgrind is not installed: `make system-deps` installs it (make test and CI do)",
)
def test_instruction_counts_are_numbers() -> None:
    proc = subprocess.run(
        [sys.executable, str(INSTRUCTIONS), "wsgi", "flaskapp:app", "/items/7", "hand"],
        cwd=ROOT,
        env={**os.environ, "BENCH_REQUESTS": "100"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("| hand |"))
    cells = [c.strip() for c in row.strip().strip("|").split("|")][1:]
    assert len(cells) == 4
    assert _number(cells[0]) > 10_000  # instructions: a Flask request takes ~500k
