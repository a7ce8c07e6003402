"""Fixtures of the conformance suite, and the generated-tree summary."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

import fastapi_everywhere

pytest.register_assert_rewrite(f"{__package__}._harness")

from ._harness import STATS, Recorder  # noqa: E402

SUMMARY_FILE = os.environ.get(
    "CONFORMANCE_SUMMARY", "/tmp/fastapi_everywhere_conformance.json"
)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture(autouse=True)
def _clean_config() -> Iterator[None]:
    fastapi_everywhere.reset_config()
    yield
    fastapi_everywhere.reset_config()


def _group(prefix: str) -> str:
    return ", ".join(
        f"{k.split()[1]}: {v}" for k, v in sorted(STATS.items()) if k.startswith(prefix)
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not STATS["trees"]:
        return
    terminalreporter.write_line(
        f"conformance: {STATS['trees']} generated trees, {STATS['diverged']} diverged"
        f" (outcomes {_group('outcome ')}; via {_group('via ')})"
    )
    with open(SUMMARY_FILE, "w") as f:
        json.dump(dict(STATS), f)
