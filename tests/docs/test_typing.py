"""The examples of docs/typing.md: run, and checked by mypy --strict and pyright.

A line of ``docs_src/typed_calls/`` that ends in ``# error: ...`` must be an error
in both checkers, and no other line may be one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docs_src.typed_calls.bare as bare
import docs_src.typed_calls.containers as containers
import docs_src.typed_calls.deps as deps
import docs_src.typed_calls.scoped as scoped
import docs_src.typed_calls.styles as styles
import pytest
from starlette.requests import Request

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "docs_src" / "typed_calls").glob("*.py")
    if p.name != "__init__.py"
)


def marked_errors() -> set[tuple[str, int]]:
    marked = set()
    for rel in FILES:
        for no, line in enumerate((ROOT / rel).read_text().splitlines(), start=1):
            if "# error:" in line:
                marked.add((rel, no))
    return marked


def tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.fail(f"{name} is not installed: run `make venv` (it is a dev extra)")
    return which


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


async def test_the_calls_run_and_inject_the_user() -> None:
    assert await styles.calls() == [deps.Report("2026-12-01", "ops")] * 2


async def test_with_scope_hands_over_a_requests_headers() -> None:
    request = Request({"type": "http", "headers": [(b"x-user", b"grace")]})
    assert await scoped.from_a_route(request) == deps.Report("2026-12-01", "grace")
    assert scoped.from_a_job() == "d: 2 for ada"


def test_the_bare_annotated_call_runs_but_does_not_type_check() -> None:
    assert bare.call() == "hello, ops"  # FastAPI injects it at run time


def test_typed_container_results() -> None:
    assert containers.use() == (deps.User("ops"), "conn", "for ops")


def test_mypy_strict_flags_exactly_the_marked_lines() -> None:
    result = run(tool("mypy"), "--strict", "--config-file", "pyproject.toml", *FILES)
    found = {
        (m["file"], int(m["line"]))
        for m in re.finditer(
            r"^(?P<file>[^:\n]+):(?P<line>\d+): error:", result.stdout, re.M
        )
    }
    assert found == marked_errors(), result.stdout


def test_pyright_strict_flags_exactly_the_marked_lines() -> None:
    result = run(
        tool("pyright"), "--pythonpath", sys.executable, "--outputjson", *FILES
    )
    report = json.loads(result.stdout)
    found = {
        (Path(d["file"]).relative_to(ROOT).as_posix(), d["range"]["start"]["line"] + 1)
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    }
    assert found == marked_errors(), result.stdout
