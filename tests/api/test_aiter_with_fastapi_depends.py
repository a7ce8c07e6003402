"""aiter_with_fastapi_depends: dependencies held open while a caller iterates."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import aiter_with_fastapi_depends


class Tracked:
    def __init__(self) -> None:
        self.events: list[str] = []

    async def resource(self):
        self.events.append("setup")
        try:
            yield "res"
        except Exception as e:
            self.events.append(f"error {type(e).__name__}")
            raise
        finally:
            self.events.append("teardown")


async def test_teardown_runs_after_full_iteration() -> None:
    t = Tracked()

    @aiter_with_fastapi_depends
    async def rows(n: int, res: str = Depends(t.resource)):
        for i in range(n):
            t.events.append(f"yield {i}")
            yield f"{res}-{i}"

    got = []
    async for row in rows(2):
        got.append(row)
        assert "teardown" not in t.events  # still open while iterating
    assert got == ["res-0", "res-1"]
    assert t.events == ["setup", "yield 0", "yield 1", "teardown"]


async def test_teardown_runs_after_break_and_aclose() -> None:
    t = Tracked()

    @aiter_with_fastapi_depends
    async def rows(res: str = Depends(t.resource)):
        for i in range(100):
            yield i

    agen = rows()
    async for row in agen:
        if row == 1:
            break
    assert "teardown" not in t.events
    await agen.aclose()
    assert t.events == ["setup", "teardown"]


async def test_teardown_sees_an_exception_of_the_generator() -> None:
    t = Tracked()

    @aiter_with_fastapi_depends
    async def rows(res: str = Depends(t.resource)):
        yield 1
        raise KeyError("broken")

    got = []
    with pytest.raises(KeyError, match="broken"):
        async for row in rows():
            got.append(row)
    assert got == [1]
    assert t.events == ["setup", "error KeyError", "teardown"]


async def test_teardown_sees_an_exception_of_the_consumer() -> None:
    t = Tracked()

    @aiter_with_fastapi_depends
    async def rows(res: str = Depends(t.resource)):
        yield 1
        yield 2

    agen = rows()
    assert await agen.__anext__() == 1
    with pytest.raises(RuntimeError, match="consumer"):
        await agen.athrow(RuntimeError("consumer"))
    assert t.events == ["setup", "error RuntimeError", "teardown"]


async def test_each_iteration_resolves_afresh_and_passes_caller_args() -> None:
    calls: list[int] = []

    def counter() -> int:
        calls.append(1)
        return len(calls)

    @aiter_with_fastapi_depends
    async def items(prefix: str, *, n: int = Depends(counter)):
        yield f"{prefix}{n}"

    assert [x async for x in items("a")] == ["a1"]
    assert [x async for x in items(prefix="b")] == ["b2"]
    assert [x async for x in items("c", n=99)] == ["c99"]
    assert len(calls) == 2


async def test_decorator_form_with_app_and_hidden_signature() -> None:
    other = FastAPI()

    def dep() -> str:
        return "real"

    other.dependency_overrides[dep] = lambda: "overridden"

    @aiter_with_fastapi_depends(app=other)
    async def items(x: int, request: Request, d: str = Depends(dep)):
        yield x, d, request.app

    assert [v async for v in items(1)] == [(1, "overridden", other)]
    assert list(inspect.signature(items).parameters) == ["x"]


async def test_call_time_scope_reaches_the_request() -> None:
    @aiter_with_fastapi_depends
    async def items(request: Request):
        yield request.headers["x-user"]

    got = [v async for v in items(_scope={"headers": [(b"x-user", b"ann")]})]
    assert got == ["ann"]


def test_a_non_async_generator_is_a_type_error() -> None:
    async def coroutine() -> None: ...

    def sync_gen():
        yield 1

    for func in (coroutine, sync_gen):
        with pytest.raises(TypeError, match="not an async generator"):
            aiter_with_fastapi_depends(func)


async def test_context_vars_set_in_dependencies_reach_the_generator() -> None:
    from contextvars import ContextVar

    tenant: ContextVar[str | None] = ContextVar("tenant", default=None)

    async def set_tenant():
        tenant.set("acme")
        yield

    @aiter_with_fastapi_depends
    async def items(_: None = Depends(set_tenant)):
        yield tenant.get()

    assert [x async for x in items()] == ["acme"]


async def test_teardown_after_break_and_garbage_collection() -> None:
    """An abandoned generator is closed by the event loop in another task;
    teardown must still run where setup ran, without errors."""
    import gc

    import anyio

    t = Tracked()
    errors: list[dict] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))

    async def workers():
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(anyio.sleep_forever)
                try:
                    yield
                finally:
                    tg.cancel_scope.cancel()
        finally:
            t.events.append("workers closed")

    @aiter_with_fastapi_depends
    async def rows(res: str = Depends(t.resource), _: None = Depends(workers)):
        for i in range(100):
            yield i

    async def consume() -> None:
        async for row in rows():
            if row == 1:
                break

    await consume()
    gc.collect()
    for _ in range(10):
        await asyncio.sleep(0.01)
        if "teardown" in t.events:
            break
    loop.set_exception_handler(None)
    assert errors == []
    assert t.events == ["setup", "workers closed", "teardown"]


async def test_teardown_when_iterated_and_closed_from_different_tasks() -> None:
    import anyio

    events: list[str] = []

    async def workers():
        try:
            async with anyio.create_task_group():
                try:
                    yield
                finally:
                    events.append("in teardown")
        finally:
            events.append("workers closed")

    @aiter_with_fastapi_depends
    async def rows(_: None = Depends(workers)):
        yield 1
        yield 2

    agen = rows()
    assert await asyncio.create_task(agen.__anext__()) == 1
    await asyncio.create_task(agen.aclose())
    assert events == ["in teardown", "workers closed"]


async def test_a_setup_failure_propagates_and_tears_down_what_was_built() -> None:
    t = Tracked()

    def broken(res: str = Depends(t.resource)) -> None:
        raise RuntimeError("cannot connect")

    @aiter_with_fastapi_depends
    async def rows(_: None = Depends(broken)):
        yield 1

    with pytest.raises(RuntimeError, match="cannot connect"):
        async for _ in rows():
            pass
    assert t.events == ["setup", "error RuntimeError", "teardown"]


async def test_a_dependency_suppressing_the_error_ends_iteration() -> None:
    async def suppressing():
        try:
            yield
        except KeyError:
            pass

    @aiter_with_fastapi_depends
    async def rows(_: None = Depends(suppressing)):
        yield 1
        raise KeyError("x")

    assert [x async for x in rows()] == [1]


async def test_teardown_when_the_consumer_is_cancelled() -> None:
    events: list[str] = []
    got_first = asyncio.Event()

    async def resource():
        try:
            yield
        except asyncio.CancelledError:
            events.append("cancelled")
            raise
        finally:
            events.append("teardown")

    @aiter_with_fastapi_depends
    async def rows(_: None = Depends(resource)):
        yield 1
        await asyncio.sleep(10)
        yield 2

    seen: list[int] = []

    async def consume() -> None:
        async for row in rows():
            seen.append(row)
            got_first.set()

    task = asyncio.create_task(consume())
    await got_first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == [1]
    assert events == ["cancelled", "teardown"]
