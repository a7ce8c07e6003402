"""sync.iter_with_fastapi_depends: sync or async generators -> plain generators."""

import gc
import inspect
import threading
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Annotated

import pytest
from fastapi import Depends, Header

from fastapi_everywhere import sync


def make_deps(events: list[str]):  # type: ignore[no-untyped-def]
    def sync_dep() -> Iterator[str]:
        events.append("sync enter")
        try:
            yield "s"
        except Exception as e:
            events.append(f"sync saw {type(e).__name__}")
            raise
        finally:
            events.append("sync exit")

    async def async_dep(s: Annotated[str, Depends(sync_dep)]) -> AsyncIterator[str]:
        events.append("async enter")
        try:
            yield s + "a"
        except Exception as e:
            events.append(f"async saw {type(e).__name__}")
            raise
        finally:
            events.append("async exit")

    return async_dep


@pytest.fixture(params=["sync", "async"])
def numbers(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    events: list[str] = []
    dep = make_deps(events)
    if request.param == "sync":

        def gen(
            n: int, v: Annotated[str, Depends(dep)]
        ) -> Generator[str, int | None, str]:
            for i in range(n):
                got = yield f"{v}{i}"
                if got is not None:
                    events.append(f"got {got}")
            return "done"
    else:

        async def gen(n: int, v: Annotated[str, Depends(dep)]) -> AsyncIterator[str]:  # type: ignore[misc]
            for i in range(n):
                got = yield f"{v}{i}"
                if got is not None:
                    events.append(f"got {got}")

    return sync.iter_with_fastapi_depends(gen), events


def test_returns_plain_generators_and_keeps_metadata(numbers) -> None:  # type: ignore[no-untyped-def]
    wrapped, events = numbers
    assert inspect.isgeneratorfunction(wrapped)
    assert list(inspect.signature(wrapped).parameters) == ["n"]
    gen = wrapped(3)
    assert inspect.isgenerator(gen)
    assert events == []  # lazy: nothing resolved before the first next()
    assert list(gen) == ["sa0", "sa1", "sa2"]
    assert events == ["sync enter", "async enter", "async exit", "sync exit"]


def test_send_passes_values_in(numbers) -> None:  # type: ignore[no-untyped-def]
    wrapped, events = numbers
    gen = wrapped(2)
    assert next(gen) == "sa0"
    assert gen.send(7) == "sa1"
    with pytest.raises(StopIteration):
        next(gen)
    assert "got 7" in events
    assert events[-1] == "sync exit"


def test_closed_early_tears_down(numbers) -> None:  # type: ignore[no-untyped-def]
    wrapped, events = numbers
    gen = wrapped(10)
    assert next(gen) == "sa0"
    gen.close()
    assert events == ["sync enter", "async enter", "async exit", "sync exit"]


def test_break_and_garbage_collection_tear_down(numbers) -> None:  # type: ignore[no-untyped-def]
    wrapped, events = numbers
    for item in wrapped(10):
        assert item == "sa0"
        break
    gc.collect()
    assert events == ["sync enter", "async enter", "async exit", "sync exit"]


def test_exception_thrown_in_reaches_the_dependencies(numbers) -> None:  # type: ignore[no-untyped-def]
    wrapped, events = numbers
    gen = wrapped(10)
    next(gen)
    with pytest.raises(KeyError):
        gen.throw(KeyError("x"))
    assert events == [
        "sync enter",
        "async enter",
        "async saw KeyError",
        "async exit",
        "sync saw KeyError",
        "sync exit",
    ]


def test_generator_return_value() -> None:
    @sync.iter_with_fastapi_depends
    def gen() -> Generator[int, None, str]:
        yield 1
        return "result"

    g = gen()
    assert next(g) == 1
    with pytest.raises(StopIteration) as info:
        next(g)
    assert info.value.value == "result"


def test_async_generator_runs_in_one_task_on_the_loop() -> None:
    import asyncio

    @sync.iter_with_fastapi_depends
    async def gen() -> AsyncIterator[int]:
        task = asyncio.current_task()
        for _ in range(3):
            assert asyncio.current_task() is task
            yield threading.get_ident()

    idents = list(gen())
    assert len(set(idents)) == 1
    assert idents[0] != threading.get_ident()


def test_scope_headers() -> None:
    @sync.iter_with_fastapi_depends
    def gen(x_user: Annotated[str, Header()]) -> Iterator[str]:
        yield x_user

    assert list(gen(_scope={"headers": {"x-user": "ann"}})) == ["ann"]


def test_rejects_plain_functions() -> None:
    def plain() -> int:
        return 1

    with pytest.raises(TypeError, match="not a generator function"):
        sync.iter_with_fastapi_depends(plain)


def test_decorator_with_arguments() -> None:
    @sync.iter_with_fastapi_depends(scope={"headers": {"x-user": "s"}})
    def gen(x_user: Annotated[str, Header()]) -> Iterator[str]:
        yield x_user

    assert list(gen()) == ["s"]


def test_generator_collected_on_the_loop_thread_is_closed_from_another() -> None:
    import asyncio
    import time

    from fastapi_everywhere._bridge import loop

    done = threading.Event()
    closed_on: list[str] = []

    async def resource() -> AsyncIterator[int]:
        try:
            yield 1
        finally:
            closed_on.append("teardown")

    def sync_resource(r: Annotated[int, Depends(resource)]) -> Iterator[int]:
        try:
            yield r
        finally:
            closed_on.append(threading.current_thread().name)
            done.set()

    @sync.iter_with_fastapi_depends
    def gen(r: Annotated[int, Depends(sync_resource)]) -> Iterator[int]:
        yield r

    holder = [gen()]
    assert next(holder[0]) == 1

    async def drop() -> None:
        holder.clear()  # the last reference dies on the loop thread

    asyncio.run_coroutine_threadsafe(drop(), loop.get_loop()).result(5)
    assert done.wait(5)
    deadline = time.monotonic() + 5
    while len(closed_on) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert closed_on == ["fastapi-everywhere-close", "teardown"]
