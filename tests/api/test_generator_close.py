"""Closing a decorated generator early tears its dependencies down, once."""

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from fastapi import Depends

import fastapi_everywhere as fe
from fastapi_everywhere import sync as fe_sync


class Log:
    def __init__(self) -> None:
        self.events: list[str] = []

    def deps(self) -> tuple[Any, Any]:
        events = self.events

        def get_value() -> Iterator[int]:
            events.append("init")
            yield 1
            events.append("cleanup")

        async def outer(v: Annotated[int, Depends(get_value)]) -> AsyncIterator[int]:
            events.append("outer init")
            try:
                yield v
            except Exception as e:
                events.append(f"outer saw {type(e).__name__}")
                raise
            events.append("outer cleanup")

        return get_value, outer


def make_sync_gen(log: Log, is_async: bool) -> Any:
    get_value, outer = log.deps()
    if is_async:

        async def agen(*, value: Annotated[int, Depends(outer)]) -> AsyncIterator[int]:
            yield value
            yield value + 1
            yield value + 2

        return fe_sync.iter_with_fastapi_depends(agen)

    def gen(*, value: Annotated[int, Depends(outer)]) -> Iterator[int]:
        yield value
        yield value + 1
        yield value + 2

    return fe_sync.iter_with_fastapi_depends(gen)


CLEAN = ["init", "outer init", "outer cleanup", "cleanup"]


def test_the_documented_example() -> None:
    logs: list[str] = []

    def get_value() -> Iterator[int]:
        logs.append("init")
        yield 1
        logs.append("cleanup")

    @fe_sync.iter_with_fastapi_depends
    def my_gen(*, value: Annotated[int, Depends(get_value)]) -> Iterator[int]:
        yield value
        yield value + 1

    g = my_gen()
    next(g)
    g.close()
    assert logs == ["init", "cleanup"]


@pytest.mark.parametrize("is_async", [False, True], ids=["gen", "asyncgen"])
def test_sync_close_midway_runs_every_teardown_once(is_async: bool) -> None:
    log = Log()
    g = make_sync_gen(log, is_async)()
    assert next(g) == 1
    assert next(g) == 2
    g.close()
    assert log.events == CLEAN
    g.close()  # idempotent
    assert log.events == CLEAN


@pytest.mark.parametrize("is_async", [False, True], ids=["gen", "asyncgen"])
def test_sync_close_before_the_first_item_resolves_nothing(is_async: bool) -> None:
    log = Log()
    g = make_sync_gen(log, is_async)()
    g.close()
    assert log.events == []


@pytest.mark.parametrize("is_async", [False, True], ids=["gen", "asyncgen"])
def test_sync_dropped_generator_is_torn_down(is_async: bool) -> None:
    log = Log()
    g = make_sync_gen(log, is_async)()
    next(g)
    del g
    gc.collect()
    assert log.events == CLEAN


@pytest.mark.parametrize("is_async", [False, True], ids=["gen", "asyncgen"])
def test_sync_throw_reaches_the_dependencies_then_close(is_async: bool) -> None:
    log = Log()
    g = make_sync_gen(log, is_async)()
    next(g)
    with pytest.raises(ValueError):
        g.throw(ValueError("boom"))
    assert log.events == ["init", "outer init", "outer saw ValueError"]
    g.close()  # already finished: nothing more
    assert log.events == ["init", "outer init", "outer saw ValueError"]


def make_async_gen(log: Log) -> Any:
    get_value, outer = log.deps()

    @fe.aiter_with_fastapi_depends
    async def agen(*, value: Annotated[int, Depends(outer)]) -> AsyncIterator[int]:
        try:
            yield value
            yield value + 1
        except KeyError:
            log.events.append("gen handled KeyError")
            yield -1
        yield value + 2

    return agen


async def test_async_the_documented_example() -> None:
    logs: list[str] = []

    def get_value() -> Iterator[int]:
        logs.append("init")
        yield 1
        logs.append("cleanup")

    @fe.aiter_with_fastapi_depends
    async def my_gen(
        *, value: Annotated[int, Depends(get_value)]
    ) -> AsyncIterator[int]:
        yield value
        yield value + 1

    g = my_gen()
    await g.__anext__()
    await g.aclose()
    assert logs == ["init", "cleanup"]


async def test_async_aclose_midway_and_before_start() -> None:
    log = Log()
    g = make_async_gen(log)()
    assert await g.__anext__() == 1
    await g.aclose()
    assert log.events == CLEAN
    await g.aclose()
    assert log.events == CLEAN

    log2 = Log()
    g2 = make_async_gen(log2)()
    await g2.aclose()
    assert log2.events == []


async def test_async_athrow_is_delegated_to_the_generator() -> None:
    log = Log()
    g = make_async_gen(log)()
    assert await g.__anext__() == 1
    assert await g.athrow(KeyError("k")) == -1  # the generator handled it
    assert await g.__anext__() == 3
    await g.aclose()
    assert log.events == ["init", "outer init", "gen handled KeyError"] + CLEAN[2:]

    log2 = Log()
    g2 = make_async_gen(log2)()
    await g2.__anext__()
    with pytest.raises(ValueError):
        await g2.athrow(ValueError("boom"))
    assert log2.events == ["init", "outer init", "outer saw ValueError"]


async def test_async_dropped_generator_is_torn_down() -> None:
    log = Log()
    g = make_async_gen(log)()
    await g.__anext__()
    del g
    gc.collect()
    for _ in range(20):  # the loop closes it in a task of its own
        if log.events == CLEAN:
            break
        await asyncio.sleep(0.01)
    assert log.events == CLEAN
