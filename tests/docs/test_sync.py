"""docs/sync.md: the examples print what the page says."""

from __future__ import annotations

from ._run import lines


def test_sync_decorator() -> None:
    assert lines("docs_src.sync.decorator") == [
        "orders.csv by ops into db on MainThread with http-client"
    ]


def test_timeout_and_loop_thread_guards() -> None:
    assert lines("docs_src.sync.guards") == ["timed out", "LoopThreadError"]


def test_generator() -> None:
    assert lines("docs_src.sync.generator") == [
        "[1, 2]",
        "1",
        "['init', 'cleanup', 'init', 'cleanup']",
    ]


def test_stack() -> None:
    assert lines("docs_src.sync.stack") == [
        "connection from the pool",
        "connection returned",
    ]


def test_container() -> None:
    assert lines("docs_src.sync.container") == [
        "20",
        "20",
        "['settings', 'unit of work', 'unit of work']",
    ]


def test_resolve() -> None:
    assert lines("docs_src.sync.resolve") == [
        "{'session': 'session'}",
        "session closed",
    ]
