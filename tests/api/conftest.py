"""Fixtures of the API tests: throw-away packages on sys.path."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def make_package(tmp_path: Path) -> Iterator[Callable[[str, dict[str, str]], str]]:
    """Write a package tree under a fresh sys.path entry; yield its maker."""
    names: list[str] = []

    def make(root: str, files: dict[str, str]) -> str:
        for rel, text in {"__init__.py": "", **files}.items():
            path = tmp_path / root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        names.append(root)
        return root

    sys.path.insert(0, str(tmp_path))
    yield make
    sys.path.remove(str(tmp_path))
    for name in list(sys.modules):
        if any(name == n or name.startswith(n + ".") for n in names):
            del sys.modules[name]
