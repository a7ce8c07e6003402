"""docs/performance.md: the thread-hop script runs and prints its three rows."""

from __future__ import annotations

import re
import sys

import pytest

from ._run import lines


def test_thread_hop_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["thread_hop.py", "50"])  # a quick run
    out = lines("docs_src.performance.thread_hop")
    assert [re.sub(r"\d+ µs", "N µs", line) for line in out] == [
        "asyncio.to_thread round trip: N µs",
        "one sync dependency, in a worker thread: N µs per call",
        "the same dependency, loop_safe: N µs per call",
    ]


async def test_the_two_rows_resolve_the_same_value() -> None:
    from docs_src.performance.thread_hop import with_hop, without_hop

    assert await with_hop() == await without_hop() == 1
