"""Smoke test of bench/discovery.py: it generates, runs and prints every row."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_discovery_bench_prints_the_rows() -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "discovery.py"),
            "--modules",
            "120",
            "--runs",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    ).stdout
    for row in ("no cache", "cold", "cached", "ast=False"):
        assert re.search(rf"^  {re.escape(row)} +\d+\.\d ms$", out, re.M), out
