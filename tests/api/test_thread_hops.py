"""How many worker-thread hops an async resolution makes (``_engine/solve.py``).

FastAPI runs every sync dependency in its threadpool; the engine keeps that
rule but runs each run of consecutive sync dependencies (between two steps
that await) in one hop, and makes none when every one of them is cached.
"""

# No `from __future__ import annotations`: FastAPI 0.115 cannot resolve the
# dependencies' postponed annotations.
import threading
from typing import Annotated, Any

import pytest
from fastapi import Depends

from fastapi_everywhere import with_fastapi_depends
from fastapi_everywhere._engine import _threads


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function the engine sends to a worker thread."""
    seen: list[str] = []
    real = _threads.run_in_thread

    async def counting(func: Any, *args: Any) -> Any:
        seen.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args)

    monkeypatch.setattr(_threads, "run_in_thread", counting)
    from fastapi_everywhere._engine import run

    monkeypatch.setattr(run, "run_in_thread", counting)
    return seen


def first() -> int:
    return threading.get_ident()


def second(a: Annotated[int, Depends(first)]) -> int:
    return threading.get_ident()


async def later(b: Annotated[int, Depends(second)]) -> int:
    return b


def third(c: Annotated[int, Depends(later)]) -> int:
    return threading.get_ident()


async def test_consecutive_sync_steps_share_one_hop_and_an_await_splits_them(
    hops: list[str],
) -> None:
    @with_fastapi_depends
    async def target(
        a: Annotated[int, Depends(first)],
        b: Annotated[int, Depends(second)],
        t: Annotated[int, Depends(third)],
    ) -> tuple[int, int, int]:
        return a, b, t

    loop_thread = threading.get_ident()
    a, b, t = await target()
    assert a == b != loop_thread  # first and second: one hop, one thread
    assert t != loop_thread
    # first+second, then (after the async `later`) third: two hops.
    assert len(hops) == 2, hops


async def pause() -> int:
    return 0


async def test_no_hop_when_every_sync_step_is_cached(hops: list[str]) -> None:
    @with_fastapi_depends
    async def target(
        a: Annotated[int, Depends(first)],
        p: Annotated[int, Depends(pause)],  # an await between the two
        again: Annotated[int, Depends(first)],  # cached: not called again
    ) -> tuple[int, int]:
        return a, again

    a, again = await target()
    assert a == again
    assert len(hops) == 1, hops  # the first `first` only
