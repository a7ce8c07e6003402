"""with_fastapi_lifecycle and runnify_with_fastapi_depends."""

from __future__ import annotations

import inspect
from contextlib import asynccontextmanager

import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import (
    LifespanError,
    LoopThreadError,
    NotConfiguredError,
    configure,
    runnify_with_fastapi_depends,
    with_fastapi_lifecycle,
)


def make_app(events: list[str], *, fail_startup: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        events.append("startup")
        if fail_startup:
            raise OSError("database down")
        yield {"pool": "pool"}
        events.append("shutdown")

    return FastAPI(lifespan=lifespan)


# -- with_fastapi_lifecycle -----------------------------------------------


async def test_startup_before_and_shutdown_after() -> None:
    events: list[str] = []
    configure(app=make_app(events))

    @with_fastapi_lifecycle
    async def main(x: int, *, y: int) -> int:
        events.append("main")
        return x + y

    assert await main(1, y=2) == 3
    assert events == ["startup", "main", "shutdown"]


async def test_sync_function_and_explicit_app() -> None:
    events: list[str] = []
    app = make_app(events)

    @with_fastapi_lifecycle(app=app)
    def main() -> str:
        events.append("main")
        return "done"

    assert await main() == "done"
    assert events == ["startup", "main", "shutdown"]


async def test_shutdown_runs_when_the_function_raises() -> None:
    events: list[str] = []

    @with_fastapi_lifecycle(app=make_app(events))
    async def main() -> None:
        events.append("main")
        raise ValueError("job failed")

    with pytest.raises(ValueError, match="job failed"):
        await main()
    assert events == ["startup", "main", "shutdown"]


async def test_startup_failure_is_a_lifespan_error() -> None:
    events: list[str] = []

    @with_fastapi_lifecycle(app=make_app(events, fail_startup=True))
    async def main() -> None:
        events.append("main")

    with pytest.raises(LifespanError) as info:
        await main()
    assert isinstance(info.value.__cause__, OSError)
    assert "database down" in str(info.value)
    assert events == ["startup"]


async def test_a_failed_startup_leaves_nothing_half_started() -> None:
    attempts: list[str] = []
    fail = [True]

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        attempts.append("startup")
        if fail[0]:
            raise OSError("down")
        yield
        attempts.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @with_fastapi_lifecycle(app=app)
    async def main() -> str:
        return "ok"

    with pytest.raises(LifespanError):
        await main()
    fail[0] = False
    assert await main() == "ok"
    assert attempts == ["startup", "startup", "shutdown"]


async def test_nested_use_starts_the_lifespan_once() -> None:
    events: list[str] = []
    configure(app=make_app(events))

    @with_fastapi_lifecycle
    async def inner() -> str:
        events.append("inner")
        return "inner"

    @with_fastapi_lifecycle
    async def outer() -> str:
        events.append("outer")
        result = await inner()
        events.append("outer-after")
        return result

    assert await outer() == "inner"
    assert events == ["startup", "outer", "inner", "outer-after", "shutdown"]


async def test_without_an_app_is_not_configured_error() -> None:
    @with_fastapi_lifecycle
    async def main() -> None: ...

    with pytest.raises(NotConfiguredError):
        await main()


# -- runnify_with_fastapi_depends -----------------------------------------


def test_runnify_runs_lifespan_and_deps_from_sync_code() -> None:
    events: list[str] = []
    app = make_app(events)
    configure(app=app)

    def get_pool(request: Request) -> str:
        events.append("dep")
        return request.state.pool

    async def main(n: int, pool: str = Depends(get_pool)) -> tuple[int, str]:
        events.append("main")
        return n, pool

    runnable = runnify_with_fastapi_depends(main)
    assert not inspect.iscoroutinefunction(runnable)
    assert list(inspect.signature(runnable).parameters) == ["n"]
    assert runnable(5) == (5, "pool")
    assert events == ["startup", "dep", "main", "shutdown"]


def test_runnify_with_explicit_app_and_overrides() -> None:
    events: list[str] = []
    app = make_app(events)

    def real() -> str:
        return "real"

    app.dependency_overrides[real] = lambda: "fake"

    @runnify_with_fastapi_depends(app=app)
    async def main(value: str = Depends(real)) -> str:
        return value

    assert main() == "fake"
    assert events == ["startup", "shutdown"]


def test_runnify_without_app_still_resolves() -> None:
    @runnify_with_fastapi_depends
    async def main(x: int = Depends(lambda: 41)) -> int:
        return x + 1

    assert main() == 42


async def test_runnify_inside_a_running_loop_is_loop_thread_error() -> None:
    called: list[str] = []

    @runnify_with_fastapi_depends
    async def main() -> None:
        called.append("main")

    with pytest.raises(LoopThreadError) as info:
        main()
    assert "main" in str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert called == []


async def test_shutdown_failure_is_a_lifespan_error() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        raise OSError("cannot close pool")

    @with_fastapi_lifecycle(app=FastAPI(lifespan=lifespan))
    async def main() -> str:
        return "ok"

    with pytest.raises(LifespanError, match="shutdown"):
        await main()


async def test_the_functions_exception_wins_over_a_shutdown_failure() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        raise OSError("cannot close pool")

    @with_fastapi_lifecycle(app=FastAPI(lifespan=lifespan))
    async def main() -> None:
        raise ValueError("job failed")

    with pytest.raises(ValueError, match="job failed"):
        await main()
