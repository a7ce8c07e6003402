"""KeyboardInterrupt in the waiting thread cancels the loop work; teardown still runs."""

import asyncio
import signal
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest
from fastapi import Depends

from fastapi_everywhere import sync


@pytest.fixture
def sigint_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def interrupt_main_when(event: threading.Event) -> threading.Thread:
    main = threading.main_thread().ident
    assert main is not None

    def fire() -> None:
        if event.wait(10):
            signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=fire)
    thread.start()
    return thread


def test_interrupt_while_waiting_on_the_loop(sigint_raises: None) -> None:
    events: list[str] = []
    waiting = threading.Event()
    main = threading.get_ident()

    def sync_gen() -> Iterator[None]:
        try:
            yield
        except KeyboardInterrupt:
            events.append(
                f"sync_gen saw KeyboardInterrupt on main {threading.get_ident() == main}"
            )
            raise

    async def async_gen(_: Annotated[None, Depends(sync_gen)]) -> AsyncIterator[None]:
        try:
            yield
        except BaseException as e:
            events.append(f"async_gen saw {type(e).__name__}")
            raise
        finally:
            events.append("async_gen exit")

    async def hang(_: Annotated[None, Depends(async_gen)]) -> None:
        waiting.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("hang cancelled")
            raise

    @sync.with_fastapi_depends
    def handler(_: Annotated[None, Depends(hang)]) -> None:
        raise AssertionError("not reached")

    firing = interrupt_main_when(waiting)
    with pytest.raises(KeyboardInterrupt):
        handler()
    firing.join()
    assert events == [
        "hang cancelled",
        "async_gen saw KeyboardInterrupt",
        "async_gen exit",
        "sync_gen saw KeyboardInterrupt on main True",
    ]

    # The loop thread and the function are fine afterwards.
    async def quick() -> int:
        return 1

    @sync.with_fastapi_depends
    def again(v: Annotated[int, Depends(quick)]) -> int:
        return v

    assert again() == 1


def test_interrupt_in_a_sync_target_still_tears_down(sigint_raises: None) -> None:
    events: list[str] = []

    async def resource() -> AsyncIterator[None]:
        try:
            yield
        finally:
            events.append("closed")

    @sync.with_fastapi_depends
    def handler(_: Annotated[None, Depends(resource)]) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        handler()
    assert events == ["closed"]


def test_exception_in_an_async_step_tears_down_what_was_set_up() -> None:
    events: list[str] = []

    async def first() -> AsyncIterator[None]:
        try:
            yield
        finally:
            events.append("first closed")

    async def second(_: Annotated[None, Depends(first)]) -> None:
        raise LookupError("db down")

    @sync.with_fastapi_depends
    def handler(_: Annotated[None, Depends(second)]) -> None: ...

    with pytest.raises(LookupError, match="db down"):
        handler()
    assert events == ["first closed"]
