"""aiter_with_fastapi_depends: dependencies held open while a caller iterates."""

from __future__ import annotations

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
