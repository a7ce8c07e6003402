"""A container (and a deps stack) used on more than one event loop."""

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from fastapi import FastAPI, Request

from fastapi_everywhere import FastAPIContainer, FastApiDepsStack, ScopeError


class Resource:
    def __init__(self, events: list[str]) -> None:
        self.events = events
        self.loop = asyncio.get_running_loop()

    async def use(self) -> str:
        assert asyncio.get_running_loop() is self.loop  # usable where it was made
        await asyncio.sleep(0)
        return "ok"


def resource_dep(events: list[str]) -> Any:
    async def resource() -> AsyncIterator[Resource]:
        r = Resource(events)
        events.append("open")
        # A cancel scope, as an httpx.AsyncClient or a task group opens one.
        with anyio.CancelScope():
            yield r
        events.append(
            f"close on {'same' if asyncio.get_running_loop() is r.loop else 'OTHER'} loop"
        )

    return resource


def test_a_second_asyncio_run_gets_its_own_instances() -> None:
    events: list[str] = []
    dep = resource_dep(events)
    c = FastAPIContainer()

    async def use() -> Resource:
        r = await c.get(dep)
        assert await r.use() == "ok"
        assert await c.get(dep) is r  # one per container on this loop
        return r

    first = asyncio.run(asyncio.wait_for(use(), 10))
    # asyncio.run ended the loop: its instances were torn down on it.
    assert events == ["open", "close on same loop"]
    second = asyncio.run(
        asyncio.wait_for(use(), 10)
    )  # a notebook re-running a cell, a second CLI call
    assert second is not first
    assert events == ["open", "close on same loop"] * 2
    asyncio.run(c.aclose())
    assert events == ["open", "close on same loop"] * 2
    assert "closed" in repr(c)


def test_aclose_tears_down_on_each_running_loop() -> None:
    events: list[str] = []
    dep = resource_dep(events)
    c = FastAPIContainer()
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        made_there = asyncio.run_coroutine_threadsafe(c.get(dep), other).result(10)

        async def main() -> None:
            here = await c.get(dep)
            assert here is not made_there
            assert "2 event loops" in repr(c)
            await c.aclose()

        asyncio.run(asyncio.wait_for(main(), 10))  # bounded: never hang
        assert events == ["open", "open", "close on same loop", "close on same loop"]
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(10)
        other.close()


def test_a_scope_belongs_to_its_loop() -> None:
    c = FastAPIContainer()
    holder: dict[str, Any] = {}

    async def open_scope() -> None:
        cm = c.scope()
        holder["scope"] = await cm.__aenter__()
        holder["cm"] = cm

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(open_scope())

        async def use_elsewhere() -> None:
            with pytest.raises(ScopeError, match="opened on another event loop"):
                await holder["scope"].get(lambda: 1)

        asyncio.run(asyncio.wait_for(use_elsewhere(), 10))
        loop.run_until_complete(holder["cm"].__aexit__(None, None, None))
    finally:
        loop.close()
    asyncio.run(c.aclose())


def test_a_stack_starts_its_lifespan_on_each_loop() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("up")
        yield {"loop": asyncio.get_running_loop()}
        events.append("down")

    def loop_of_lifespan(request: Request) -> Any:
        return request.state.loop

    stack = FastApiDepsStack(app=FastAPI(lifespan=lifespan))

    async def first() -> None:
        await stack.start()
        assert await stack.resolve(loop_of_lifespan) is asyncio.get_running_loop()

    asyncio.run(asyncio.wait_for(first(), 10))
    assert events == ["up", "down"]  # ended with its loop

    async def second() -> None:
        assert await stack.resolve(loop_of_lifespan) is asyncio.get_running_loop()
        await stack.close()

    asyncio.run(asyncio.wait_for(second(), 10))
    assert events == ["up", "down", "up", "down"]
