"""The loop thread: lazy, single, guarded, bounded, recreated, shut down cleanly."""

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated

import pytest
from fastapi import Depends

from fastapi_everywhere import LoopThreadError, sync
from fastapi_everywhere._bridge import loop
from fastapi_everywhere.sync import LoopTimeoutError


async def on_loop() -> int:
    return threading.get_ident()


@sync.with_fastapi_depends
def loop_ident(i: Annotated[int, Depends(on_loop)]) -> int:
    return i


def test_created_lazily_and_named(no_loop_thread: None) -> None:
    assert not loop.loop_running()
    ident = loop_ident()
    assert loop.loop_running()
    names = {t.name for t in threading.enumerate() if t.ident == ident}
    assert names == {"fastapi-everywhere-loop"}
    assert [t for t in threading.enumerate() if t.ident == ident][0].daemon


def test_called_on_the_loop_thread_raises_instead_of_deadlocking() -> None:
    async def inside() -> None:
        with pytest.raises(LoopThreadError, match="async API"):
            loop_ident()
        with pytest.raises(LoopThreadError):
            with sync.resolve_fastapi_depends(loop_ident.__wrapped__):  # type: ignore[attr-defined]
                pass

    asyncio.run_coroutine_threadsafe(inside(), loop.get_loop()).result(5)


def test_called_from_a_dependency_running_on_the_loop_raises() -> None:
    async def bad() -> int:
        return loop_ident()  # the sync API from async code on the loop thread

    @sync.with_fastapi_depends
    def handler(v: Annotated[int, Depends(bad)]) -> int:
        return v

    with pytest.raises(LoopThreadError):
        handler()
    assert loop_ident()  # still healthy


def test_timeout_cancels_and_still_tears_down() -> None:
    events: list[str] = []

    async def slow() -> AsyncIterator[None]:
        events.append("enter")
        try:
            yield
        finally:
            events.append("exit")

    async def slower(_: Annotated[None, Depends(slow)]) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise

    @sync.with_fastapi_depends(timeout=0.2)
    def handler(_: Annotated[None, Depends(slower)]) -> None:
        raise AssertionError("not reached")

    start = time.monotonic()
    with pytest.raises(LoopTimeoutError, match="0.2"):
        handler()
    assert time.monotonic() - start < 5
    assert events == ["enter", "cancelled", "exit"]
    assert loop_ident()


def test_a_dead_loop_thread_is_recreated() -> None:
    loop_ident()
    old = loop.get_loop()
    old.call_soon_threadsafe(old.stop)  # the thread's run_forever returns
    deadline = time.monotonic() + 5
    while loop.loop_running() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not loop.loop_running()
    assert loop_ident()  # (thread idents may be reused: compare the loops)
    assert loop.get_loop() is not old


def test_shutdown_then_restart() -> None:
    loop_ident()
    loop.shutdown()
    assert not loop.loop_running()
    assert loop_ident()
    assert loop.loop_running()
