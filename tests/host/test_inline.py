"""The inline path of a host request (``_host/inline.py``) and what it relies on."""

import asyncio
import inspect
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Header

from fastapi_everywhere import loop_safe
from fastapi_everywhere._bridge.served import serve
from fastapi_everywhere._engine._compat import HAS_DEPENDS_SCOPE
from fastapi_everywhere._host import RequestScope
from fastapi_everywhere._host.inline import close_function
from fastapi_everywhere._target import Target


def test_close_function_without_a_stack_raises_the_error_itself() -> None:
    error = ValueError("view failed")
    with pytest.raises(ValueError) as raised:
        close_function(None, error)
    assert raised.value is error


def test_supplied_is_the_same_with_and_without_the_shortcut() -> None:
    def dep() -> int:
        return 1

    def view(a: int, b: Annotated[int, Depends(dep)], /, *, c: int = 0) -> None: ...

    def view2(
        a: int, b: Annotated[int, Depends(dep)], *, c: Annotated[int, Depends(dep)]
    ) -> None: ...

    with pytest.raises(TypeError, match="positional-only"):
        Target(view, "test")
    target = Target(view2, "test")
    assert target.supplied((1,), {}) == frozenset()
    assert target.supplied((1, 2), {}) == {"b"}
    assert target.supplied((1,), {"c": 3}) == {"c"}
    assert target.supplied((), {"a": 1, "x": 2}) == frozenset()
    assert target.supplied((1, 2), {"c": 3}) == {"b", "c"}


@pytest.mark.skipif(
    "scope" not in inspect.signature(Depends).parameters,
    reason="FastAPI without Depends(scope=)",
)
def test_function_and_request_scoped_exits_close_in_their_turn() -> None:
    events: list[str] = []

    def function_dep() -> Any:
        events.append("function in")
        yield "f"
        events.append("function out")

    def request_dep() -> Any:
        events.append("request in")
        yield "r"
        events.append("request out")

    def view(
        f: Annotated[str, Depends(function_dep, scope="function")],
        r: Annotated[str, Depends(request_dep)],
    ) -> str:
        events.append("view")
        return f + r

    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert scope.call(view) == "fr"
    assert events == ["function in", "request in", "view", "function out"]
    scope.close()
    assert events[-1] == "request out"


def test_async_side_sync_teardown_runs_on_the_closing_thread() -> None:
    """An async call's request-scoped sync exits run where close() is called,
    in entry order with its async ones (which run in the request's task)."""
    import threading

    events: list[tuple[str, int | None]] = []

    def sync_dep() -> Any:
        yield "s"
        events.append(("close sync", threading.get_ident()))

    async def async_dep() -> Any:
        yield "a"
        events.append(("close async", None))

    async def view(
        s: Annotated[str, Depends(sync_dep)], a: Annotated[str, Depends(async_dep)]
    ) -> str:
        return s + a

    async def only_sync(s: Annotated[str, Depends(sync_dep)]) -> str:
        return s

    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert asyncio.run(scope.acall(only_sync)) == "s"
    assert not scope.closes_on_loop  # nothing to wait for on a loop
    scope.close()
    assert events == [("close sync", threading.get_ident())]

    events.clear()
    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert asyncio.run(scope.acall(view)) == "sa"
    assert scope.closes_on_loop
    scope.close()
    assert events == [("close async", None), ("close sync", threading.get_ident())]


def test_the_usual_plan_is_kept_per_target_and_follows_overrides() -> None:
    def dep() -> int:
        return 1

    def other() -> int:
        return 2

    def view(x: Annotated[int, Depends(dep)]) -> int:
        return x

    target = Target(view, "test")
    assert target.plan_for(None, (), {}) is target.plan_for(None, (), {})
    app = FastAPI()
    app.dependency_overrides[dep] = other
    overridden = target.plan_for(app, (), {})
    assert overridden is not target.plan_for(None, (), {})
    scope = RequestScope({"type": "http", "headers": []}, app=app)
    assert scope.call(view) == 2
    scope.close()
    app.dependency_overrides.clear()
    scope = RequestScope({"type": "http", "headers": []}, app=app)
    assert scope.call(view) == 1
    scope.close()


def _served_acall(
    target: Any, run_sync: Any, *, headers: list[tuple[bytes, bytes]]
) -> tuple[Any, RequestScope]:
    """``acall(target)`` on a loop a server serves, then ``aclose``."""

    async def main() -> tuple[Any, RequestScope]:
        unserve = serve(asyncio.get_running_loop())
        try:
            scope = RequestScope(
                {"type": "http", "headers": headers}, app=FastAPI(), run_sync=run_sync
            )
            result = await scope.acall(target)
            await scope.aclose()
            return result, scope
        finally:
            unserve()

    return asyncio.run(main())


def test_a_served_async_call_of_sync_steps_makes_one_hop_and_none_without() -> None:
    """On the serving loop an all-sync plan is one ``run_sync`` hop (the
    compiled solver), plus one for the function-scoped teardown; with only
    loop_safe steps and parameters, none at all; the request gets no task."""
    hops: list[str] = []

    async def run_sync(fn: Any, *args: Any) -> Any:
        hops.append(getattr(fn, "__name__", type(fn).__name__))
        return fn(*args)

    @loop_safe
    def settings() -> dict[str, int]:
        return {"a": 1}

    def db() -> Any:
        yield "db"

    async def light(
        s: Annotated[dict[str, int], Depends(settings)],
        x_user: Annotated[str, Header()],
    ) -> Any:
        return s, x_user

    async def heavy(
        d: Annotated[str, Depends(db, scope="function")]
        if HAS_DEPENDS_SCOPE
        else Annotated[str, Depends(db)],
        x_user: Annotated[str, Header()],
    ) -> Any:
        return d, x_user

    result, scope = _served_acall(light, run_sync, headers=[(b"x-user", b"ann")])
    assert result == ({"a": 1}, "ann")
    assert hops == ["close"]  # aclose() only
    assert scope._async is None  # no task of its own

    hops.clear()
    result, scope = _served_acall(heavy, run_sync, headers=[(b"x-user", b"ann")])
    assert result == ("db", "ann")
    expected = ["solve", "close", "close"] if HAS_DEPENDS_SCOPE else ["solve", "close"]
    assert hops == expected  # resolve; function scope; aclose()


def test_started_generators_finish_like_their_managers() -> None:
    """The inline path hands request-scoped generators over started, not
    wrapped: they finish in reverse order, see the request's error, are
    adopted by a later async resolution's exits, and a generator that
    yields twice fails as ``contextmanager`` makes it fail."""
    events: list[str] = []

    def outer() -> Any:
        try:
            yield "o"
        except ValueError as e:
            events.append(f"outer saw {e}")
            raise
        events.append("outer out")

    def twice() -> Any:
        yield "t"
        events.append("twice again")
        yield "t2"

    def inner() -> Any:
        try:
            yield "i"
        except ValueError as e:
            events.append(f"inner saw {e}")
            raise
        events.append("inner out")

    def view(
        o: Annotated[str, Depends(outer)], i: Annotated[str, Depends(inner)]
    ) -> str:
        return o + i

    async def later() -> Any:
        yield "l"
        events.append("later out")

    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert scope.call(view) == "oi"
    scope.close(ValueError("view failed"))
    assert events == ["inner saw view failed", "outer saw view failed"]

    # Adopted by the exits an async resolution opens: one order for all.
    events.clear()
    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert scope.call(view) == "oi"
    assert scope.resolve(later) == "l"
    scope.close()
    assert events == ["later out", "inner out", "outer out"]

    # One yields twice: contextmanager's error, closed, and the rest see it.
    def view_twice(
        o: Annotated[str, Depends(outer)], t: Annotated[str, Depends(twice)]
    ) -> str:
        return o + t

    events.clear()
    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert scope.call(view_twice) == "ot"
    with pytest.raises(RuntimeError, match="generator didn't stop"):
        scope.close()
    assert events == ["twice again"]  # outer saw a RuntimeError, not a ValueError


def test_a_generator_that_returns_a_value_or_yields_none_again() -> None:
    """Finished with ``next(gen, sentinel)`` (no StopIteration per request):
    a value returned after the yield is ignored, as ``contextmanager``
    ignores it, and a second ``yield`` of None still fails."""
    events: list[str] = []

    def returns() -> Any:
        yield "r"
        events.append("returns out")
        return "ignored"  # noqa: B901 - the generator's return value

    def none_again() -> Any:
        yield "n"
        yield None

    def view(
        r: Annotated[str, Depends(returns)], n: Annotated[str, Depends(none_again)]
    ) -> str:
        return r + n

    def view_returns(r: Annotated[str, Depends(returns)]) -> str:
        return r

    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert scope.call(view_returns) == "r"
    scope.close()
    assert events == ["returns out"]

    events.clear()
    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert scope.call(view) == "rn"
    with pytest.raises(RuntimeError, match="generator didn't stop"):
        scope.close()
    assert events == []  # ``returns`` was closed with that error at its yield


def test_a_request_scoped_generator_that_never_yields_fails_as_in_fastapi() -> None:
    def never() -> Any:
        if False:
            yield

    def view(n: Annotated[str, Depends(never)]) -> str:
        return n

    scope = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    with pytest.raises(RuntimeError, match="generator didn't yield") as raised:
        scope.call(view)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    scope.close(raised.value)


def test_close_on_the_loop_thread_fails_only_where_it_would_wait_there() -> None:
    """An all-sync request closed on the library's loop thread has nothing
    to wait for there: it closes. One with an async dependency would wait
    on the very loop it blocks: LoopThreadError, and it stays open."""
    from fastapi_everywhere import LoopThreadError
    from fastapi_everywhere._bridge.loop import get_loop

    events: list[str] = []

    def sync_dep() -> Any:
        yield "s"
        events.append("sync closed")

    async def async_dep() -> Any:
        yield "a"
        events.append("async closed")

    def view(s: Annotated[str, Depends(sync_dep)]) -> str:
        return s

    def mixed(
        s: Annotated[str, Depends(sync_dep)], a: Annotated[str, Depends(async_dep)]
    ) -> str:
        return s + a

    async def close_here(scope: RequestScope) -> None:
        scope.close()

    loop = get_loop()
    inline = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert inline.call(view) == "s"
    asyncio.run_coroutine_threadsafe(close_here(inline), loop).result(5)
    assert inline.closed and events == ["sync closed"]

    events.clear()
    waits = RequestScope({"type": "http", "headers": []}, app=FastAPI())
    assert waits.call(mixed) == "sa"
    with pytest.raises(LoopThreadError, match="close"):
        asyncio.run_coroutine_threadsafe(close_here(waits), loop).result(5)
    assert not waits.closed and events == []
    waits.close()
    assert events == ["async closed", "sync closed"]
