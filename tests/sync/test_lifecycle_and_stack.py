"""sync.with_fastapi_lifecycle, runnify, resolve_fastapi_depends, FastApiDepsStack."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
import httpx
import pytest
from fastapi import Depends, FastAPI, Header, Request

import fastapi_everywhere
from fastapi_everywhere import LifespanError, sync
from fastapi_everywhere.sync import runners


def make_app(events: list[str], fail: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        if fail:
            raise RuntimeError("no database")
        events.append("startup")
        async with anyio.create_task_group():  # must exit in its own task
            yield {"dsn": "sqlite://", "loop": asyncio.get_running_loop()}
        events.append("shutdown")

    return FastAPI(lifespan=lifespan)


def dsn(request: Request) -> str:
    return str(request.state.dsn)


# -- with_fastapi_lifecycle ----------------------------------------------------------


@pytest.mark.parametrize("is_async", [False, True])
def test_lifecycle_runs_startup_and_shutdown(is_async: bool) -> None:
    events: list[str] = []
    app = make_app(events)

    if is_async:

        async def main(x: int) -> int:
            events.append("main")
            return x * 2
    else:

        def main(x: int) -> int:
            events.append("main")
            return x * 2

    wrapped = sync.with_fastapi_lifecycle(main, app=app)
    assert wrapped.__name__ == "main"
    assert wrapped(21) == 42
    assert events == ["startup", "main", "shutdown"]


def test_lifecycle_shuts_down_when_the_function_raises() -> None:
    events: list[str] = []
    fastapi_everywhere.configure(app=make_app(events))

    @sync.with_fastapi_lifecycle
    def main() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        main()
    assert events == ["startup", "shutdown"]


def test_lifecycle_start_up_failure() -> None:
    @sync.with_fastapi_lifecycle(app=make_app([], fail=True))
    def main() -> None:
        raise AssertionError("not reached")

    with pytest.raises(LifespanError, match="no database"):
        main()


def test_lifespan_state_reaches_dependencies() -> None:
    events: list[str] = []
    app = make_app(events)

    @sync.with_fastapi_lifecycle(app=app)
    @sync.with_fastapi_depends(app=app)
    def main(d: Annotated[str, Depends(dsn)]) -> str:
        return d

    assert main() == "sqlite://"


def test_runnify_runs_lifespan_and_dependencies() -> None:
    events: list[str] = []
    fastapi_everywhere.configure(app=make_app(events))

    async def user(x_user: Annotated[str, Header()] = "anon") -> str:
        return x_user

    @sync.runnify_with_fastapi_depends
    async def main(
        greeting: str, d: Annotated[str, Depends(dsn)], u: Annotated[str, Depends(user)]
    ) -> str:
        events.append("main")
        return f"{greeting} {u} {d}"

    assert runners.runnify_with_fastapi_depends is sync.runnify_with_fastapi_depends
    assert main("hi") == "hi anon sqlite://"
    assert events == ["startup", "main", "shutdown"]


def test_runnify_without_app() -> None:
    @sync.runnify_with_fastapi_depends
    def main(x: int) -> int:
        return x

    assert main(3) == 3


def test_runnify_from_a_thread_running_its_own_event_loop() -> None:
    @sync.runnify_with_fastapi_depends
    async def main() -> str:
        return "ok"

    async def host() -> str:
        return main()  # blocks this loop while it waits: works, documented

    assert asyncio.run(host()) == "ok"


# -- resolve_fastapi_depends ---------------------------------------------------------


def test_resolve_fastapi_depends_yields_kwargs_and_tears_down() -> None:
    events: list[str] = []

    async def conn() -> AsyncIterator[str]:
        events.append("open")
        try:
            yield "conn"
        except Exception as e:
            events.append(f"rollback {type(e).__name__}")
            raise
        events.append("close")

    def handler(c: Annotated[str, Depends(conn)], x: Annotated[str, Header()]) -> None:
        raise AssertionError("never called")

    with sync.resolve_fastapi_depends(handler, scope={"headers": {"x": "1"}}) as kw:
        assert kw == {"c": "conn", "x": "1"}
        assert events == ["open"]
    assert events == ["open", "close"]
    with pytest.raises(ValueError):
        with sync.resolve_fastapi_depends(handler, {"headers": {"x": "1"}}) as kw:
            raise ValueError
    assert events[-1] == "rollback ValueError"


def test_resolve_fastapi_depends_uses_overrides_of_the_provider() -> None:
    def real() -> str:
        return "real"

    app = FastAPI()
    app.dependency_overrides[real] = lambda: "fake"

    def handler(v: Annotated[str, Depends(real)]) -> None: ...

    with sync.resolve_fastapi_depends(handler, dependency_overrides_provider=app) as kw:
        assert kw == {"v": "fake"}


# -- FastApiDepsStack ----------------------------------------------------------------


def test_stack_start_resolve_close() -> None:
    events: list[str] = []
    stack = sync.FastApiDepsStack(make_app(events))
    assert "not started" in repr(stack)
    assert stack.start() is stack
    assert stack.started
    assert events == ["startup"]
    assert stack.resolve(dsn) == "sqlite://"
    stack.close()
    assert not stack.started
    assert events == ["startup", "shutdown"]
    stack.close()  # idempotent


def test_stack_resolve_before_start() -> None:
    with pytest.raises(RuntimeError, match=r"Call start\(\)"):
        sync.FastApiDepsStack(FastAPI()).resolve(dsn)


def test_stack_keeps_instances_and_tears_down_in_the_setup_task() -> None:
    events: list[str] = []
    tasks: list[Any] = []

    async def client(request: Request) -> AsyncIterator[httpx.AsyncClient]:
        tasks.append(asyncio.current_task())
        # The client opens anyio cancel scopes: closing it in another task
        # fails with "exit cancel scope in a different task".
        async with httpx.AsyncClient(base_url="http://test") as c:
            events.append("client open")
            yield c
            tasks.append(asyncio.current_task())
        events.append("client closed")

    def counter() -> Iterator[list[int]]:
        box = [0]
        yield box
        events.append("counter closed")

    fastapi_everywhere.configure(app=make_app(events))
    with sync.FastApiDepsStack() as stack:
        c1 = stack.resolve(client)
        c2 = stack.resolve(Annotated[httpx.AsyncClient, Depends(client)])
        assert c1 is c2
        assert not c1.is_closed
        box = stack.resolve(Depends(counter))
        assert stack.resolve(counter) is box
    assert c1.is_closed
    assert events == [
        "startup",
        "client open",
        "counter closed",
        "client closed",
        "shutdown",
    ]
    assert len(tasks) == 2 and tasks[0] is tasks[1]


def test_stack_is_thread_safe() -> None:
    made: list[int] = []

    def expensive() -> int:
        made.append(1)
        return len(made)

    with sync.FastApiDepsStack(make_app([])) as stack:
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(stack.resolve(expensive)))
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [1] * 8
    assert made == [1]
