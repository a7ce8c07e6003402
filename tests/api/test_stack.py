"""FastApiDepsStack: a started app plus dependencies kept until close()."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio
import httpx
import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import FastApiDepsStack, NotConfiguredError, configure


def make_app(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        events.append("startup")
        yield {"dsn": "sqlite://"}
        events.append("shutdown")

    return FastAPI(lifespan=lifespan)


class Settings:
    def __init__(self, request: Request) -> None:
        self.dsn = request.state.dsn


async def test_start_resolve_close() -> None:
    events: list[str] = []
    stack = FastApiDepsStack(make_app(events))
    assert not stack.started
    assert "not started" in repr(stack)
    assert await stack.start() is stack
    assert stack.started
    assert "started" in repr(stack)
    assert events == ["startup"]
    settings = await stack.resolve(Settings)
    assert isinstance(settings, Settings)
    assert settings.dsn == "sqlite://"  # lifespan state is request.state
    await stack.close()
    assert not stack.started
    assert events == ["startup", "shutdown"]
    await stack.close()  # idempotent
    assert events == ["startup", "shutdown"]


async def test_async_with_uses_the_configured_app() -> None:
    events: list[str] = []
    configure(app=make_app(events))
    async with FastApiDepsStack() as stack:
        assert (await stack.resolve(Settings)).dsn == "sqlite://"
        assert events == ["startup"]
    assert events == ["startup", "shutdown"]


async def test_start_is_idempotent() -> None:
    events: list[str] = []
    stack = FastApiDepsStack(make_app(events))
    await stack.start()
    await stack.start()
    await stack.close()
    assert events == ["startup", "shutdown"]


async def test_start_without_any_app_is_not_configured_error() -> None:
    with pytest.raises(NotConfiguredError):
        await FastApiDepsStack().start()


async def test_resolve_accepts_annotated_depends_and_callables() -> None:
    calls: list[int] = []

    class Service:
        def __init__(self) -> None:
            calls.append(1)

    def make_service() -> Service:
        return Service()

    ServiceDep = Annotated[Service, Depends(make_service)]
    async with FastApiDepsStack(FastAPI()) as stack:
        from_annotated = await stack.resolve(ServiceDep)
        from_depends = await stack.resolve(Depends(make_service))
        from_callable = await stack.resolve(make_service)
        bare = await stack.resolve(Annotated[Service, Depends()])
    assert isinstance(from_annotated, Service)
    assert from_annotated is from_depends is from_callable
    assert isinstance(bare, Service)
    assert bare is not from_annotated  # a different dependency (the class)
    assert len(calls) == 2


async def test_same_instance_on_repeated_resolve() -> None:
    calls: list[int] = []

    async def client() -> object:
        calls.append(1)
        return object()

    async with FastApiDepsStack(FastAPI()) as stack:
        first = await stack.resolve(client)
        second = await stack.resolve(client)
    assert first is second
    assert calls == [1]


async def test_teardown_in_reverse_order_then_lifespan_shutdown() -> None:
    events: list[str] = []

    async def a():
        events.append("setup a")
        yield "a"
        events.append("teardown a")

    def b(a_value: str = Depends(a)):
        events.append("setup b")
        yield "b"
        events.append("teardown b")

    async def c():
        events.append("setup c")
        yield "c"
        events.append("teardown c")

    stack = FastApiDepsStack(make_app(events))
    await stack.start()
    assert await stack.resolve(b) == "b"
    assert await stack.resolve(c) == "c"
    assert "teardown a" not in events
    await stack.close()
    assert events == [
        "startup",
        "setup a",
        "setup b",
        "setup c",
        "teardown c",
        "teardown b",
        "teardown a",
        "shutdown",
    ]


async def test_resolve_before_start_or_after_close_is_runtime_error() -> None:
    stack = FastApiDepsStack(FastAPI())
    # fastapi-depends-anywhere's users match "Call start()".
    with pytest.raises(RuntimeError, match=r"Call start\(\)"):
        await stack.resolve(lambda: 1)
    await stack.start()
    await stack.close()
    with pytest.raises(RuntimeError, match="start"):
        await stack.resolve(lambda: 1)


async def test_cancel_scope_resources_across_tasks() -> None:
    """start, resolve and close in three different asyncio tasks.

    An httpx.AsyncClient and an anyio task group open cancel scopes that
    must be exited in the task that entered them.
    """
    events: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"path": request.url.path})

    clients: list[httpx.AsyncClient] = []

    async def http_client():
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(handler), base_url="http://svc"
        ) as client:
            clients.append(client)
            yield client
        events.append("client closed")

    async def task_group():
        async with anyio.create_task_group() as tg:
            started = anyio.Event()

            async def worker() -> None:
                started.set()
                try:
                    await anyio.sleep_forever()
                finally:
                    events.append("worker cancelled")

            tg.start_soon(worker)
            await started.wait()
            yield tg
            tg.cancel_scope.cancel()
        events.append("task group closed")

    stack = FastApiDepsStack(make_app(events))
    await asyncio.create_task(stack.start())

    async def resolve_both() -> tuple[httpx.AsyncClient, object]:
        return await stack.resolve(http_client), await stack.resolve(task_group)

    client, tg = await asyncio.create_task(resolve_both())
    response = await client.get("/ping")
    assert response.json() == {"path": "/ping"}
    assert tg is await asyncio.create_task(stack.resolve(task_group))

    await asyncio.create_task(stack.close())
    assert clients[0].is_closed
    assert events == [
        "startup",
        "worker cancelled",
        "task group closed",
        "client closed",
        "shutdown",
    ]


async def test_stacks_on_one_app_may_close_in_any_order() -> None:
    events: list[str] = []
    app = make_app(events)
    first = await FastApiDepsStack(app).start()
    second = await FastApiDepsStack(app).start()
    await first.close()  # not the last user: the lifespan keeps running
    assert events == ["startup"]
    assert (await second.resolve(Settings)).dsn == "sqlite://"
    await second.close()
    assert events == ["startup", "shutdown"]


async def test_concurrent_starts_start_one_stack() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.sleep(0.01)
        events.append("startup")
        yield
        events.append("shutdown")

    stack = FastApiDepsStack(FastAPI(lifespan=lifespan))
    await asyncio.gather(stack.start(), stack.start(), stack.start())
    assert events == ["startup"]
    await stack.close()
    assert events == ["startup", "shutdown"]  # no second user left behind
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_a_failed_start_leaves_no_task_behind() -> None:
    from fastapi_everywhere import LifespanError

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        raise OSError("down")
        yield  # pragma: no cover

    stack = FastApiDepsStack(FastAPI(lifespan=lifespan))
    with pytest.raises(LifespanError):
        await stack.start()
    assert not stack.started
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_aclose_is_close_for_contextlib_aclosing() -> None:
    from contextlib import aclosing

    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        events.append("open")
        yield "r"
        events.append("close")

    async with aclosing(FastApiDepsStack(app=FastAPI())) as stack:
        await stack.start()
        assert await stack.resolve(resource) == "r"
        assert stack.started
    assert events == ["open", "close"]
    assert not stack.started
    await stack.aclose()  # idempotent
    assert events == ["open", "close"]
