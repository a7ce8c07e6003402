"""sync.with_fastapi_depends: the async API's semantics, as a plain sync callable."""

import asyncio
import contextvars
import inspect
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from fastapi import (
    BackgroundTasks,
    Body,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Request,
)
from fastapi.exceptions import FastAPIError, RequestValidationError

import fastapi_everywhere
from fastapi_everywhere import MissingParameterError, sync
from fastapi_everywhere._bridge import loop

var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")


def test_sync_function_with_sync_dependency() -> None:
    def get_value() -> int:
        return 41

    @sync.with_fastapi_depends
    def handler(value: Annotated[int, Depends(get_value)]) -> int:
        return value + 1

    assert handler() == 42


def test_async_function_with_async_dependency() -> None:
    async def get_value() -> int:
        await asyncio.sleep(0)
        return 41

    @sync.with_fastapi_depends
    async def handler(value: Annotated[int, Depends(get_value)]) -> int:
        await asyncio.sleep(0)
        return value + 1

    assert handler() == 42


def test_async_function_without_async_dependency() -> None:
    @sync.with_fastapi_depends
    async def handler(x: int) -> int:
        return threading.get_ident()

    assert handler(1) != threading.get_ident()  # ran on the loop thread


def test_wraps_metadata_and_hides_injected_parameters() -> None:
    def dep() -> int:
        return 1

    def handler(a: int, b: str = "x", *, d: Annotated[int, Depends(dep)]) -> str:
        """Doc."""
        return f"{a}{b}{d}"

    wrapped = sync.with_fastapi_depends(handler)
    assert wrapped.__name__ == "handler"
    assert wrapped.__doc__ == "Doc."
    assert wrapped.__wrapped__ is handler  # type: ignore[attr-defined]
    assert list(inspect.signature(wrapped).parameters) == ["a", "b"]
    assert not inspect.iscoroutinefunction(wrapped)
    assert wrapped(1) == "1x1"
    assert wrapped(2, b="y") == "2y1"
    assert wrapped(3, d=9) == "3x9"  # the caller's value wins


def test_decorator_with_arguments_and_static_scope() -> None:
    @sync.with_fastapi_depends(scope={"headers": {"x-token": "static"}})
    def handler(x_token: Annotated[str, Header()]) -> str:
        return x_token

    assert handler() == "static"
    assert handler(_scope={"headers": {"x-token": "dynamic"}}) == "dynamic"


def test_sync_dependencies_run_on_the_calling_thread() -> None:
    seen: dict[str, int] = {}

    def sync_dep() -> None:
        seen["sync"] = threading.get_ident()

    def sync_gen() -> Iterator[None]:
        seen["gen enter"] = threading.get_ident()
        yield
        seen["gen exit"] = threading.get_ident()

    async def async_dep(_: Annotated[None, Depends(sync_gen)]) -> None:
        seen["async"] = threading.get_ident()

    @sync.with_fastapi_depends
    def handler(
        a: Annotated[None, Depends(sync_dep)], b: Annotated[None, Depends(async_dep)]
    ) -> None:
        seen["target"] = threading.get_ident()

    def run() -> None:
        handler()
        seen["caller"] = threading.get_ident()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    caller = seen.pop("caller")
    async_ident = seen.pop("async")
    assert set(seen.values()) == {caller}
    assert async_ident != caller


def test_all_sync_tree_never_starts_the_loop_thread(no_loop_thread: None) -> None:
    def settings() -> str:
        return "s"

    def db(s: Annotated[str, Depends(settings)]) -> Iterator[str]:
        yield s + "db"

    @sync.with_fastapi_depends
    def handler(
        d: Annotated[str, Depends(db)], x_user: Annotated[str, Header()]
    ) -> str:
        return d + x_user

    assert handler(_scope={"headers": {"x-user": "u"}}) == "sdbu"
    assert not loop.loop_running()


def test_one_loop_thread_for_every_call() -> None:
    async def ident() -> int:
        return threading.get_ident()

    @sync.with_fastapi_depends
    def handler(i: Annotated[int, Depends(ident)]) -> int:
        return i

    idents = {handler() for _ in range(3)}
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(handler()))
    t.start()
    t.join()
    assert idents == set(result)
    assert len(idents) == 1


# -- context variables -----------------------------------------------------------


def test_caller_contextvars_are_visible_in_dependencies() -> None:
    def sync_dep() -> str:
        return var.get()

    async def async_dep() -> str:
        return var.get()

    @sync.with_fastapi_depends
    def handler(
        a: Annotated[str, Depends(sync_dep)], b: Annotated[str, Depends(async_dep)]
    ) -> tuple[str, str]:
        return a, b

    token = var.set("caller")
    try:
        assert handler() == ("caller", "caller")
    finally:
        var.reset(token)


@pytest.mark.parametrize("target_async", [False, True])
def test_contextvars_set_by_dependencies_reach_the_target(target_async: bool) -> None:
    other: contextvars.ContextVar[str] = contextvars.ContextVar("other", default="")

    def sync_dep() -> None:
        var.set("from sync dep")

    async def async_dep(_: Annotated[None, Depends(sync_dep)]) -> None:
        assert var.get() == "from sync dep"
        other.set("from async dep")

    def sync_gen(_: Annotated[None, Depends(async_dep)]) -> Iterator[None]:
        assert other.get() == "from async dep"
        yield

    if target_async:

        async def target(_: Annotated[None, Depends(sync_gen)]) -> tuple[str, str]:
            return var.get(), other.get()
    else:

        def target(_: Annotated[None, Depends(sync_gen)]) -> tuple[str, str]:
            return var.get(), other.get()

    handler = sync.with_fastapi_depends(target)
    assert handler() == ("from sync dep", "from async dep")
    assert var.get() == "unset"  # one call's context does not leak to the caller
    assert other.get() == ""


# -- yield dependencies -------------------------------------------------------------


def _mixed_tree(events: list[str]) -> Any:
    def sync_outer() -> Iterator[str]:
        events.append("enter sync_outer")
        try:
            yield "o"
        except Exception as e:
            events.append(f"sync_outer saw {type(e).__name__}")
            raise
        finally:
            events.append("exit sync_outer")

    async def async_mid(o: Annotated[str, Depends(sync_outer)]) -> AsyncIterator[str]:
        events.append("enter async_mid")
        try:
            yield o + "m"
        except Exception as e:
            events.append(f"async_mid saw {type(e).__name__}")
            raise
        finally:
            events.append("exit async_mid")

    def sync_inner(m: Annotated[str, Depends(async_mid)]) -> Iterator[str]:
        events.append("enter sync_inner")
        try:
            yield m + "i"
        except Exception as e:
            events.append(f"sync_inner saw {type(e).__name__}")
            raise
        finally:
            events.append("exit sync_inner")

    return sync_inner


@pytest.mark.parametrize("fail", [False, True])
def test_teardown_order_and_thrown_exception_match_the_async_api(fail: bool) -> None:
    def run(api: Any) -> list[str]:
        events: list[str] = []
        inner = _mixed_tree(events)

        def target(v: Annotated[str, Depends(inner)]) -> str:
            events.append(f"target {v}")
            if fail:
                raise ValueError("boom")
            return v

        wrapped = api.with_fastapi_depends(target)
        try:
            result = wrapped()
            if inspect.isawaitable(result):
                asyncio.run(result)
        except ValueError:
            events.append("caller saw ValueError")
        return events

    expected = run(fastapi_everywhere)
    assert run(sync) == expected
    assert expected[:4] == [
        "enter sync_outer",
        "enter async_mid",
        "enter sync_inner",
        "target omi",
    ]
    if fail:
        assert "async_mid saw ValueError" in expected
        assert expected[-1] == "caller saw ValueError"


def test_async_generator_dependency_enters_and_exits_in_one_task() -> None:
    tasks: list[Any] = []

    async def gen() -> AsyncIterator[None]:
        tasks.append(asyncio.current_task())
        yield
        tasks.append(asyncio.current_task())

    async def plain(_: Annotated[None, Depends(gen)]) -> None:
        tasks.append(asyncio.current_task())

    def middle(_: Annotated[None, Depends(plain)]) -> None:
        pass

    async def gen2(_: Annotated[None, Depends(middle)]) -> AsyncIterator[None]:
        tasks.append(asyncio.current_task())
        yield
        tasks.append(asyncio.current_task())

    @sync.with_fastapi_depends
    def handler(_: Annotated[None, Depends(gen2)]) -> None:
        pass

    handler()
    assert len(tasks) == 5
    assert len({id(t) for t in tasks}) == 1


def test_http_exception_from_teardown_replaces_the_result() -> None:
    def dep() -> Iterator[None]:
        try:
            yield
        except ValueError:
            raise HTTPException(status_code=409, detail="conflict") from None

    @sync.with_fastapi_depends
    def handler(_: Annotated[None, Depends(dep)]) -> None:
        raise ValueError

    with pytest.raises(HTTPException) as info:
        handler()
    assert info.value.status_code == 409


def test_swallowed_exception_raises_like_fastapi() -> None:
    async def dep() -> AsyncIterator[None]:
        try:
            yield
        except Exception:
            pass

    @sync.with_fastapi_depends
    def handler(_: Annotated[None, Depends(dep)]) -> None:
        raise ValueError

    with pytest.raises(FastAPIError, match="swallowed"):
        handler()


HAS_DEPENDS_SCOPE = "scope" in inspect.signature(Depends).parameters


@pytest.mark.skipif(not HAS_DEPENDS_SCOPE, reason="Depends(scope=) is FastAPI >= 0.121")
def test_function_scope_closes_before_background_tasks_and_request_scope() -> None:
    events: list[str] = []

    def request_dep() -> Iterator[None]:
        yield
        events.append("request teardown")

    async def function_dep() -> AsyncIterator[None]:
        yield
        events.append("function teardown")

    def sync_task() -> None:
        events.append(f"sync task on caller {threading.get_ident() == caller}")

    async def async_task() -> None:
        events.append("async task")

    @sync.with_fastapi_depends
    def handler(
        tasks: BackgroundTasks,
        a: Annotated[None, Depends(request_dep)],
        b: Annotated[None, Depends(function_dep, scope="function")],
    ) -> str:
        tasks.add_task(sync_task)
        tasks.add_task(async_task)
        events.append("target")
        return "ok"

    caller = threading.get_ident()
    assert handler() == "ok"
    assert events == [
        "target",
        "function teardown",
        "sync task on caller True",
        "async task",
        "request teardown",
    ]


# -- request data and errors -----------------------------------------------------------


def test_missing_header_raises_missing_parameter_error() -> None:
    @sync.with_fastapi_depends
    def handler(x_token: Annotated[str, Header()]) -> str:
        return x_token

    with pytest.raises(MissingParameterError) as info:
        handler()
    assert "x-token" in str(info.value)


def test_bad_value_raises_request_validation_error() -> None:
    @sync.with_fastapi_depends
    def handler(x_count: Annotated[int, Header()]) -> int:
        return x_count

    with pytest.raises(RequestValidationError) as info:
        handler(_scope={"headers": {"x-count": "many"}})
    assert info.value.errors()[0]["type"] == "int_parsing"
    assert handler(_scope={"headers": {"x-count": "3"}}) == 3


def test_json_body_is_read_on_the_loop() -> None:
    """The seam the Django/Flask adapters use: a ScopeSpec carrying a body."""
    from pydantic import BaseModel

    from fastapi_everywhere._bridge.drive import new_driver
    from fastapi_everywhere._engine import plan_for_function
    from fastapi_everywhere._scope import ScopeSpec

    class Item(BaseModel):
        name: str

    def handler(item: Annotated[Item, Body()]) -> str:
        return item.name

    spec = ScopeSpec(
        base={"method": "POST", "headers": {"content-type": "application/json"}},
        body=b'{"name": "x"}',
    )
    plan = plan_for_function(handler)
    with new_driver(plan, app=None, spec=spec, name="t", timeout=None) as values:
        assert values["item"].name == "x"


def test_request_and_overrides_of_the_configured_app(app: FastAPI) -> None:
    def real() -> str:
        return "real"

    def fake() -> str:
        return "fake"

    app.dependency_overrides[real] = fake

    @sync.with_fastapi_depends
    def handler(v: Annotated[str, Depends(real)], request: Request) -> tuple[str, Any]:
        return v, request.app

    assert handler() == ("fake", app)


def test_context_factory_wraps_the_call() -> None:
    from contextlib import contextmanager

    seen: list[Any] = []

    @contextmanager
    def factory(ctx: Any) -> Iterator[None]:
        token = var.set(ctx["id"])
        try:
            yield
        finally:
            var.reset(token)

    fastapi_everywhere.configure(context_factory=factory)

    def dep() -> str:
        return var.get()

    @sync.with_fastapi_depends(context={"id": "ctx-1"})
    def handler(v: Annotated[str, Depends(dep)]) -> str:
        seen.append(v)
        return v

    assert handler() == "ctx-1"


def test_a_decorated_function_may_call_another() -> None:
    async def inner_dep() -> int:
        return 1

    @sync.with_fastapi_depends
    def inner(v: Annotated[int, Depends(inner_dep)]) -> int:
        return v

    def outer_dep() -> int:
        return inner() + 1  # nested sync call from a sync dependency

    @sync.with_fastapi_depends
    def outer(v: Annotated[int, Depends(outer_dep)]) -> int:
        return v

    assert outer() == 2


@pytest.mark.parametrize("fail", [False, True])
def test_background_tasks_and_teardown_order_match_the_async_api(fail: bool) -> None:
    def run(api: Any) -> list[str]:
        events: list[str] = []

        def sync_dep() -> Iterator[None]:
            yield
            events.append("sync teardown")

        async def async_dep(
            _: Annotated[None, Depends(sync_dep)],
        ) -> AsyncIterator[None]:
            yield
            events.append("async teardown")

        def handler(
            tasks: BackgroundTasks, _: Annotated[None, Depends(async_dep)]
        ) -> None:
            tasks.add_task(events.append, "sync task")

            async def async_task() -> None:
                events.append("async task")

            tasks.add_task(async_task)
            if fail:
                raise ValueError

        wrapped = api.with_fastapi_depends(handler)
        try:
            result = wrapped()
            if inspect.isawaitable(result):
                asyncio.run(result)
        except ValueError:
            events.append("raised")
        return events

    assert run(sync) == run(fastapi_everywhere)


def test_validation_error_and_teardown_match_the_async_api() -> None:
    def run(api: Any) -> list[str]:
        events: list[str] = []

        async def resource() -> AsyncIterator[None]:
            try:
                yield
            except Exception as e:
                events.append(f"saw {type(e).__name__}")
                raise
            finally:
                events.append("teardown")

        async def count(x_count: Annotated[int, Header()]) -> int:
            return x_count

        def handler(
            _: Annotated[None, Depends(resource)], n: Annotated[int, Depends(count)]
        ) -> int:
            return n

        wrapped = api.with_fastapi_depends(handler)
        try:
            result = wrapped(_scope={"headers": {"x-count": "many"}})
            if inspect.isawaitable(result):
                asyncio.run(result)
        except RequestValidationError as e:
            events.append(f"raised {e.errors()[0]['type']}")
        return events

    assert run(sync) == run(fastapi_everywhere)
