"""docs/concepts.md: the examples print what the page says."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from fastapi_everywhere._engine._compat import (
    HAS_DEPENDS_SCOPE,
    TEARDOWN_BEFORE_BACKGROUND,
)

from ._run import ROOT, lines


def test_teardown_sees_the_callers_exception() -> None:
    assert lines("docs_src.concepts.rollback") == [
        "imported 'a,b' in session",
        "['begin', 'commit', 'close', 'begin', 'rollback (empty row)', 'close']",
    ]


def test_one_cache_per_call() -> None:
    assert lines("docs_src.concepts.cache") == ["(1, 1, 2)", "(3, 3, 4)"]


@pytest.mark.skipif(not HAS_DEPENDS_SCOPE, reason="Depends(scope=) is FastAPI >= 0.121")
def test_timing_of_teardown_and_background_tasks() -> None:
    assert not TEARDOWN_BEFORE_BACKGROUND  # 0.121 > 0.120: the page's order
    assert lines("docs_src.concepts.timing") == [
        "['call', 'function-scoped teardown', 'background task', "
        "'request-scoped teardown']"
    ]


def test_threads_of_each_api() -> None:
    assert lines("docs_src.concepts.threads") == [
        "{'target': 'fastapi-everywhere-worker', 'sync dep': "
        "'fastapi-everywhere-worker', 'async dep': 'MainThread'}",
        "{'target': 'MainThread', 'sync dep': 'MainThread', "
        "'async dep': 'fastapi-everywhere-loop'}",
    ]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_gives_each_child_its_own_lifespan() -> None:
    # A fresh interpreter: forking the test process (and its threads) is not
    # what the page shows.
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "docs_src.concepts.fork"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["True", "[True, True, True, True]"]
