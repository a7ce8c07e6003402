"""with_fastapi_lifecycle and runnify_with_fastapi_depends."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
from contextlib import asynccontextmanager

import anyio
import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import (
    LifespanError,
    LoopThreadError,
    NotConfiguredError,
    configure,
    runnify_with_fastapi_depends,
    with_fastapi_depends,
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


# -- one lifespan shared by concurrent users ------------------------------


def make_slow_app(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.sleep(0.01)  # a real start-up awaits (connects a pool...)
        events.append("startup")
        yield {"pool": "pool"}
        await asyncio.sleep(0)
        events.append("shutdown")

    return FastAPI(lifespan=lifespan)


async def test_concurrent_uses_share_one_lifespan_until_the_last_ends() -> None:
    events: list[str] = []

    @with_fastapi_lifecycle(app=make_slow_app(events))
    async def job(delay: float) -> float:
        events.append(f"start {delay}")
        await asyncio.sleep(delay)
        events.append(f"end {delay}")
        return delay

    assert await asyncio.gather(job(0.01), job(0.05)) == [0.01, 0.05]
    assert events == [
        "startup",
        "start 0.01",
        "start 0.05",
        "end 0.01",
        "end 0.05",
        "shutdown",
    ]


async def test_lifespan_state_stays_while_any_user_runs() -> None:
    events: list[str] = []
    app = make_slow_app(events)

    def get_pool(request: Request) -> str:
        return request.state.pool

    @with_fastapi_lifecycle(app=app)
    async def short() -> None:
        await asyncio.sleep(0)

    @with_fastapi_lifecycle(app=app)
    async def long() -> str:
        await asyncio.sleep(0.03)
        # `short` (which started the lifespan) has finished by now.
        return await with_fastapi_depends(
            lambda pool=Depends(get_pool): pool, app=app
        )()

    assert await asyncio.gather(short(), long()) == [None, "pool"]
    assert events == ["startup", "shutdown"]


async def test_a_lifespan_with_a_task_group_outlives_the_task_that_started_it() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.sleep_forever)
            events.append("startup")
            yield
            tg.cancel_scope.cancel()
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @with_fastapi_lifecycle(app=app)
    async def job(delay: float) -> None:
        await asyncio.sleep(delay)

    await asyncio.gather(job(0), job(0.02))
    assert events == ["startup", "shutdown"]
    await job(0)  # and it can start again afterwards
    assert events == ["startup", "shutdown", "startup", "shutdown"]


async def test_concurrent_start_up_failure_reaches_every_waiter() -> None:
    attempts: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        attempts.append("startup")
        await asyncio.sleep(0.01)
        raise OSError("down")
        yield  # pragma: no cover

    @with_fastapi_lifecycle(app=FastAPI(lifespan=lifespan))
    async def job() -> None:
        attempts.append("job")

    results = await asyncio.gather(job(), job(), return_exceptions=True)
    assert [type(r) for r in results] == [LifespanError, LifespanError]
    assert attempts == ["startup"]


def test_a_lifespan_left_running_shuts_down_with_its_event_loop() -> None:
    from fastapi_everywhere import FastApiDepsStack

    events: list[str] = []
    app = make_app(events)

    async def forget_to_close() -> None:
        await FastApiDepsStack(app).start()

    asyncio.run(forget_to_close())
    assert events == ["startup", "shutdown"]

    @with_fastapi_lifecycle(app=app)
    async def again() -> str:
        return "ok"

    assert asyncio.run(again()) == "ok"  # a new loop starts it afresh
    assert events == ["startup", "shutdown", "startup", "shutdown"]


def test_a_lifespan_running_on_another_loop_is_shared() -> None:
    import threading

    from fastapi_everywhere import FastApiDepsStack

    events: list[str] = []
    app = make_app(events)
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        stack = FastApiDepsStack(app)
        asyncio.run_coroutine_threadsafe(stack.start(), other).result(5)

        def get_pool(request: Request) -> str:
            return request.state.pool

        @with_fastapi_lifecycle(app=app)
        async def job() -> str:
            return await with_fastapi_depends(
                lambda pool=Depends(get_pool): pool, app=app
            )()

        assert asyncio.run(job()) == "pool"
        assert events == ["startup"]
        asyncio.run_coroutine_threadsafe(stack.close(), other).result(5)
        assert events == ["startup", "shutdown"]

        # The last user may also be on the other loop.
        async def last_user_elsewhere() -> None:
            first = FastApiDepsStack(app)
            await asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(first.start(), other)
            )
            async with FastApiDepsStack(app):
                await asyncio.wrap_future(
                    asyncio.run_coroutine_threadsafe(first.close(), other)
                )
                assert events == ["startup", "shutdown", "startup"]

        asyncio.run(last_user_elsewhere())
        assert events == ["startup", "shutdown", "startup", "shutdown"]
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(5)
        other.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_lifespan() -> None:
    import threading

    from fastapi_everywhere import FastApiDepsStack

    events: list[str] = []
    app = make_app(events)
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    stack = FastApiDepsStack(app)
    try:
        asyncio.run_coroutine_threadsafe(stack.start(), other).result(5)

        @with_fastapi_lifecycle(app=app)
        async def job() -> list[str]:
            return list(events)

        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                signal.alarm(5)  # the parent's loop thread does not exist here
                if asyncio.run(job()) == ["startup", "startup"]:
                    code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert events == ["startup"]  # the parent's lifespan is untouched
    finally:
        asyncio.run_coroutine_threadsafe(stack.close(), other).result(5)
        other.call_soon_threadsafe(other.stop)
        thread.join(5)
        other.close()
    assert events == ["startup", "shutdown"]
