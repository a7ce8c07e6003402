"""RequestScope: one host-framework request handled as one FastAPI request.

Where FastAPI defines the behaviour (cache, teardown order, background tasks,
error bodies), the same dependencies run in a real FastAPI route and the
results are compared.
"""

# No `from __future__ import annotations`: FastAPI reads the nested functions'
# annotations at run time, in their closures.

import asyncio
import gc
import threading
import warnings
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
    Path,
    Query,
    Request,
    Response,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from fastapi_everywhere._engine._compat import TEARDOWN_BEFORE_BACKGROUND
from fastapi_everywhere._host import RequestScope, aerror_response, error_response
from fastapi_everywhere._source import RequestSource

LOOP_THREAD = "fastapi-everywhere-loop"

HTTP_SCOPE: dict[str, Any] = {
    "type": "http",
    "method": "POST",
    "path": "/items/7",
    "query_string": b"q=5",
    "headers": [(b"x-token", b"tok"), (b"content-type", b"application/json")],
    "path_params": {"item_id": "7"},
}


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.builds = 0
        self.threads: dict[str, str] = {}
        self.tasks: dict[str, Any] = {}

    def sync_gen(self) -> Iterator[str]:
        self.builds += 1
        self.threads["sync enter"] = threading.current_thread().name
        self.events.append("enter sync")
        try:
            yield "S"
        except Exception as e:
            self.events.append(f"sync saw {type(e).__name__}")
            raise
        finally:
            self.threads["sync exit"] = threading.current_thread().name
            self.events.append("exit sync")

    async def async_gen(self) -> AsyncIterator[str]:
        self.tasks["enter"] = asyncio.current_task()
        self.threads["async enter"] = threading.current_thread().name
        self.events.append("enter async")
        try:
            yield "A"
        except Exception as e:
            self.events.append(f"async saw {type(e).__name__}")
            raise
        finally:
            self.tasks["exit"] = asyncio.current_task()
            self.events.append("exit async")


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def deps(rec: Recorder) -> Any:
    """A user dependency over one sync and one async yield dependency."""

    def user(
        x_token: Annotated[str, Header()],
        s: Annotated[str, Depends(rec.sync_gen)],
        a: Annotated[str, Depends(rec.async_gen)],
    ) -> str:
        return f"{x_token}:{s}{a}"

    return user


def test_one_cache_per_request_shared_by_call_and_resolve(rec: Recorder) -> None:
    user = deps(rec)

    def view(u: Annotated[str, Depends(user)]) -> str:
        return u

    scope = RequestScope(HTTP_SCOPE)
    assert scope.call(view) == "tok:SA"
    assert scope.resolve(user) == "tok:SA"
    assert rec.builds == 1  # the second resolution hit the request's cache
    assert rec.events == ["enter sync", "enter async"]  # open until close
    scope.close()
    assert rec.events[2:] == ["exit async", "exit sync"]

    other = RequestScope(HTTP_SCOPE)  # a new request: never the old cache
    assert other.call(view) == "tok:SA"
    assert rec.builds == 2
    other.close()


def test_sync_deps_on_calling_thread_async_in_one_loop_task(rec: Recorder) -> None:
    user = deps(rec)
    scope = RequestScope(HTTP_SCOPE)

    def run() -> None:
        scope.call(lambda u=Depends(user): u)
        scope.close()

    worker = threading.Thread(target=run, name="host-request-thread")
    worker.start()
    worker.join()
    assert (
        rec.threads["sync enter"] == rec.threads["sync exit"] == "host-request-thread"
    )
    assert rec.threads["async enter"] == LOOP_THREAD
    assert rec.tasks["enter"] is rec.tasks["exit"]


def test_parameters_come_from_the_scope_and_body() -> None:
    def view(
        item_id: Annotated[int, Path()],
        q: Annotated[int, Query()],
        name: Annotated[str, Body(embed=True)],
        request: Request,
    ) -> tuple[Any, ...]:
        return item_id, q, name, request.url.path

    scope = RequestScope(HTTP_SCOPE, body=b'{"name": "pen"}')
    assert scope.call(view) == (7, 5, "pen", "/items/7")
    scope.close()


def test_header_only_dependencies_build_no_request_and_agree_with_one() -> None:
    raw = [(b"x-token", b"a"), (b"x-tags", b"1"), (b"x-tags", b"2")]

    def by_header(
        x_token: Annotated[str, Header()], x_tags: Annotated[list[str], Header()]
    ) -> tuple[str, list[str]]:
        return x_token, x_tags

    def by_request(request: Request) -> tuple[str, list[str]]:
        return request.headers["x-token"], request.headers.getlist("x-tags")

    built: list[str] = []

    class Lazy(RequestSource):
        def asgi_scope(self) -> dict[str, Any]:
            built.append("scope")
            return {"type": "http", "headers": raw}

        def raw_headers(self) -> list[tuple[bytes, bytes]]:
            built.append("headers")
            return raw

    for given in ({"type": "http", "headers": raw}, Lazy()):
        built.clear()
        scope = RequestScope(given)
        assert scope.call(by_header) == ("a", ["1", "2"])
        assert not scope.source.has_request  # headers are read without a Request
        assert scope.call(by_request) == ("a", ["1", "2"])
        assert scope.call(by_header) == ("a", ["1", "2"])  # through the Request
        scope.close()
        # A lazy source is read once each, the scope when the Request is needed.
        assert built == (["headers", "scope"] if isinstance(given, Lazy) else [])


def test_matches_fastapi_order_of_teardown_and_background_tasks(
    rec: Recorder,
) -> None:
    def run(record: list[str]) -> Any:
        user = deps(rec)

        def view(
            u: Annotated[str, Depends(user)],
            tasks: BackgroundTasks,
            response: Response,
        ) -> dict[str, str]:
            tasks.add_task(record.append, "background")
            response.headers["x-extra"] = "1"
            response.status_code = 201
            record.append("view")
            return {"u": u}

        return view

    app = FastAPI()
    fastapi_events = rec.events
    app.post("/items/{item_id}")(run(fastapi_events))
    with TestClient(app) as client:
        r = client.post("/items/7", headers={"x-token": "tok"})
    assert (r.status_code, r.headers["x-extra"]) == (201, "1")
    expected = list(fastapi_events)

    rec.events = ours = []
    scope = RequestScope(HTTP_SCOPE)
    assert scope.call(run(ours)) == {"u": "tok:SA"}
    assert scope.response is not None
    assert scope.response.status_code == 201
    assert (b"x-extra", b"1") in scope.response.headers.raw
    scope.close()
    assert ours == expected


def test_close_with_the_views_exception_throws_it_into_yield_deps(
    rec: Recorder,
) -> None:
    user = deps(rec)
    ran: list[str] = []

    def view(u: Annotated[str, Depends(user)], tasks: BackgroundTasks) -> None:
        tasks.add_task(ran.append, "background")
        raise ValueError("boom")

    scope = RequestScope(HTTP_SCOPE)
    with pytest.raises(ValueError) as info:
        scope.call(view)
    scope.close(info.value)  # not raised again
    assert rec.events == [
        "enter sync",
        "enter async",
        "async saw ValueError",
        "exit async",
        "sync saw ValueError",
        "exit sync",
    ]
    assert ran == []  # no background task after a failure
    assert scope.closed
    scope.close()  # idempotent


def test_an_error_raised_by_teardown_is_raised_by_close() -> None:
    def failing() -> Iterator[None]:
        yield
        raise RuntimeError("teardown failed")

    scope = RequestScope(HTTP_SCOPE)
    scope.call(lambda d=Depends(failing): d)
    with pytest.raises(RuntimeError, match="teardown failed"):
        scope.close()


def test_validation_errors_are_fastapis(rec: Recorder) -> None:
    user = deps(rec)
    scope = RequestScope({"type": "http", "headers": []})
    with pytest.raises(RequestValidationError) as info:
        scope.call(lambda u=Depends(user): u)
    # FastAPI's exact class reaches the host's error handlers.
    assert type(info.value) is RequestValidationError
    assert info.value.errors()[0]["loc"] == ("header", "x-token")
    scope.close(info.value)
    # As FastAPI: yield dependencies see the exact validation error (FastAPI <
    # 0.120 closed them before raising it).
    assert "sync saw MissingParameterError" not in rec.events
    saw = "sync saw RequestValidationError" in rec.events
    assert saw is not TEARDOWN_BEFORE_BACKGROUND
    assert rec.events[-1] == "exit sync"


def test_async_side_from_another_loop(rec: Recorder) -> None:
    user = deps(rec)
    used: list[str] = []

    async def view(u: Annotated[str, Depends(user)]) -> tuple[str, str]:
        return u, threading.current_thread().name

    async def run_sync(fn: Any, *args: Any) -> Any:
        used.append(getattr(fn, "__name__", "call"))
        return await asyncio.to_thread(fn, *args)

    async def main() -> Any:
        scope = RequestScope(HTTP_SCOPE, run_sync=run_sync)
        result = await scope.acall(view)
        again = await scope.aresolve(user)
        await scope.aclose()
        return result, again

    (value, thread), again = asyncio.run(main())
    assert value == again == "tok:SA"
    assert thread == LOOP_THREAD  # the shared loop, not asyncio.run's
    assert rec.builds == 1
    assert used  # sync work went through the host's runner
    assert rec.tasks["enter"] is rec.tasks["exit"]
    assert rec.events[-2:] == ["exit async", "exit sync"]


def test_async_view_from_the_sync_side_runs_on_the_loop(rec: Recorder) -> None:
    user = deps(rec)

    async def view(u: Annotated[str, Depends(user)]) -> str:
        return threading.current_thread().name

    scope = RequestScope(HTTP_SCOPE)
    assert scope.call(view) == LOOP_THREAD
    scope.close()
    assert rec.tasks["enter"] is rec.tasks["exit"]


def test_use_after_close_and_gc_without_close() -> None:
    scope = RequestScope(HTTP_SCOPE)
    scope.close()
    with pytest.raises(RuntimeError, match=r"call\(\) after the request was closed"):
        scope.call(lambda: None)

    def gen() -> Iterator[int]:
        yield 1

    leaked = RequestScope(HTTP_SCOPE, name="leaky")
    leaked.call(lambda d=Depends(gen): d)
    assert "open" in repr(leaked)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del leaked
        gc.collect()
    assert any("leaky" in str(w.message) for w in caught)


# -- error_response: FastAPI's responses, byte for byte -------------------------


def fastapi_response(exc_factory: Any, app: FastAPI | None = None) -> Any:
    app = app or FastAPI()

    @app.get("/")
    def route(x: Annotated[int, Query()]) -> None:
        raise exc_factory()

    with TestClient(app) as client:
        return client.get("/?x=1")


@pytest.mark.parametrize(
    "exc_factory",
    [
        lambda: HTTPException(401, "Not authenticated", {"WWW-Authenticate": "Bearer"}),
        lambda: HTTPException(404, {"nested": ["detail", 1]}),
        lambda: HTTPException(204),
    ],
)
def test_http_exception_response_is_fastapis(exc_factory: Any) -> None:
    want = fastapi_response(exc_factory)
    got = error_response(exc_factory())
    assert got is not None
    assert got.status_code == want.status_code
    assert got.body == want.content
    assert dict(got.headers) == {
        k: v for k, v in want.headers.items() if k != "date" and k != "server"
    }


def test_validation_error_response_is_fastapis() -> None:
    app = FastAPI()

    @app.get("/")
    def route(x: Annotated[int, Query()]) -> None: ...

    with TestClient(app) as client:
        want = client.get("/?x=nope")
    scope = RequestScope({"type": "http", "query_string": b"x=nope"})
    with pytest.raises(RequestValidationError) as info:
        scope.call(route)
    scope.close(info.value)
    got = error_response(info.value)
    assert got is not None
    assert (got.status_code, got.body) == (422, want.content)


def test_the_apps_own_exception_handler_is_used() -> None:
    app = FastAPI()

    @app.exception_handler(HTTPException)
    async def teapot(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"oops": exc.detail}, status_code=418)

    got = error_response(HTTPException(400, "bad"), app=app)
    assert got is not None
    assert (got.status_code, got.body) == (418, b'{"oops":"bad"}')
    via_async = asyncio.run(aerror_response(HTTPException(400, "bad"), app=app))
    assert via_async is not None and via_async.body == got.body
    assert error_response(ValueError("not ours"), app=app) is None


def test_scope_defaults_are_never_shared_between_requests() -> None:
    from fastapi_everywhere import sync

    def tamper(request: Request) -> None:
        request.scope["headers"].append((b"authorization", b"Bearer alice"))
        request.scope["asgi"]["version"] = "tampered"

    def who(authorization: Annotated[str | None, Header()] = None) -> Any:
        return authorization

    first = RequestScope({"type": "http"})
    first.call(lambda t=Depends(tamper): t)
    first.close()
    second = RequestScope({"type": "http"})
    assert second.call(lambda w=Depends(who): w) is None
    assert second.request.scope["asgi"]["version"] == "3.0"
    second.close()

    sync.with_fastapi_depends(lambda t=Depends(tamper): t)()
    assert sync.with_fastapi_depends(lambda w=Depends(who): w)() is None


def test_cancelling_acall_cancels_the_view_on_the_shared_loop() -> None:
    # A client that disconnects: the ASGI server cancels the host view, and the
    # view running on the shared loop must stop too (then teardown runs).
    events: list[str] = []

    async def session() -> AsyncIterator[str]:
        events.append("enter")
        try:
            yield "s"
        finally:
            events.append("exit")

    async def view(s: Annotated[str, Depends(session)]) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("view cancelled")
            raise

    async def main() -> None:
        scope = RequestScope(HTTP_SCOPE)
        task = asyncio.ensure_future(scope.acall(view))

        async def entered() -> None:
            while "enter" not in events and not task.done():
                await asyncio.sleep(0.01)

        await asyncio.wait_for(entered(), 10)
        assert not task.done(), task
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await scope.aclose(asyncio.CancelledError())
        # The owner task survived its job's cancellation and tore down.
        assert scope._async is not None and scope._async.closed

    asyncio.run(main())
    assert events == ["enter", "view cancelled", "exit"]


def test_a_view_may_resolve_from_threads_it_joins() -> None:
    from concurrent.futures import ThreadPoolExecutor

    def settings() -> str:
        return "settings"

    def view() -> list[str]:
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(lambda _: scope.resolve(settings), range(4)))

    scope = RequestScope(HTTP_SCOPE)
    assert scope.call(view) == ["settings"] * 4
    scope.close()
