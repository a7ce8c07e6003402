"""mypy sees the right types through the sync decorators."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SNIPPET = """
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import sync


def dep() -> int:
    return 1


@sync.with_fastapi_depends
async def a(x: str, d: Annotated[int, Depends(dep)]) -> float:
    return 1.0


@sync.with_fastapi_depends
def b(x: str, d: Annotated[int, Depends(dep)]) -> bytes:
    return b""


@sync.with_fastapi_depends(timeout=1.0)
def c(d: Annotated[int, Depends(dep)]) -> list[int]:
    return [d]


@sync.iter_with_fastapi_depends
def g(d: Annotated[int, Depends(dep)]) -> Iterator[str]:
    yield ""


@sync.with_fastapi_lifecycle
async def lc(n: int) -> str:
    return ""


@sync.runnify_with_fastapi_depends
async def main() -> int:
    return 0


stack = sync.FastApiDepsStack()
reveal_type(a("x"))
reveal_type(b("x"))
reveal_type(c())
reveal_type(g())
reveal_type(lc(1))
reveal_type(main())
reveal_type(stack.resolve(int))
"""


@pytest.mark.skipif(
    shutil.which("mypy", path=str(Path(sys.executable).parent)) is None, reason="mypy"
)
def test_return_types(tmp_path: Path) -> None:
    source = tmp_path / "snippet.py"
    source.write_text(textwrap.dedent(SNIPPET))
    mypy = str(Path(sys.executable).parent / "mypy")
    proc = subprocess.run(
        [
            mypy,
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    revealed = [
        line.split("Revealed type is ")[1]
        for line in proc.stdout.splitlines()
        if "Revealed type" in line
    ]
    assert revealed == [
        '"float"',
        '"bytes"',
        '"list[int]"',
        '"typing.Generator[str, Any, Any]"',
        '"str"',
        '"int"',
        '"int"',
    ], proc.stdout
