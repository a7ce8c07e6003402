"""with_fastapi_depends: the decorator vocabulary's main entry point."""

from __future__ import annotations

import inspect
import threading
from contextvars import ContextVar
from typing import Annotated, Any

import pytest
from fastapi import (
    BackgroundTasks,
    Depends,
    FastAPI,
    Header,
    Query,
    Request,
    Response,
    WebSocket,
)
from fastapi.exceptions import FastAPIError, RequestValidationError
from fastapi.testclient import TestClient

from fastapi_everywhere import (
    FastAPIEverywhereError,
    MissingParameterError,
    configure,
    with_fastapi_depends,
    with_fastapi_lifecycle,
)
from fastapi_everywhere._engine._compat import TEARDOWN_BEFORE_BACKGROUND


def get_db() -> str:
    return "db"


# -- decoration and argument passing ---------------------------------------


async def test_bare_decorator_resolves_depends() -> None:
    @with_fastapi_depends
    async def f(db: str = Depends(get_db)) -> str:
        return db

    assert await f() == "db"


async def test_decorator_with_arguments(app: FastAPI) -> None:
    other = FastAPI()
    other.dependency_overrides[get_db] = lambda: "other-db"

    @with_fastapi_depends(app=other, scope={"path": "/x"})
    async def f(request: Request, db: str = Depends(get_db)) -> tuple[str, str]:
        return db, request.url.path

    assert await f() == ("other-db", "/x")


async def test_caller_positional_and_keyword_arguments_pass_through() -> None:
    @with_fastapi_depends
    async def f(
        a: int, b: int, *rest: int, db: str = Depends(get_db), c: int = 0, **kw: Any
    ) -> tuple[Any, ...]:
        return a, b, rest, db, c, kw

    assert await f(1, 2, 3, 4, c=5, extra="x") == (
        1,
        2,
        (3, 4),
        "db",
        5,
        {"extra": "x"},
    )
    assert await f(b=2, a=1) == (1, 2, (), "db", 0, {})


async def test_an_injectable_parameter_passed_by_the_caller_wins() -> None:
    calls: list[str] = []

    def dep() -> str:
        calls.append("dep")
        return "resolved"

    @with_fastapi_depends
    async def f(value: str = Depends(dep)) -> str:
        return value

    assert await f(value="mine") == "mine"
    assert await f("positional") == "positional"
    assert calls == []
    assert await f() == "resolved"
    assert calls == ["dep"]


async def test_an_explicit_value_skips_the_whole_subtree() -> None:
    calls: list[str] = []

    def leaf(x_token: str = Header()) -> str:  # would be missing
        calls.append("leaf")
        return x_token

    def middle(token: str = Depends(leaf)) -> str:
        calls.append("middle")
        return token

    @with_fastapi_depends
    async def f(m: str = Depends(middle)) -> str:
        return m

    assert await f(m="given") == "given"
    assert calls == []


async def test_sync_target_functions_work_and_run_off_the_loop_thread() -> None:
    loop_thread = threading.get_ident()

    @with_fastapi_depends
    def f(x: int, db: str = Depends(get_db)) -> tuple[int, str, bool]:
        return x, db, threading.get_ident() == loop_thread

    assert inspect.iscoroutinefunction(f)
    assert await f(3) == (3, "db", False)


async def test_signature_hides_injected_parameters() -> None:
    async def f(
        a: int,
        request: Request,
        b: str = "b",
        *,
        db: str = Depends(get_db),
        token: Annotated[str, Header()] = "t",
        c: int = 1,
    ) -> None: ...

    wrapped = with_fastapi_depends(f)
    assert list(inspect.signature(wrapped).parameters) == ["a", "b", "c"]
    # This module postpones annotations; CLI tools reading the signature
    # (Typer, Click) need them evaluated.
    assert inspect.signature(wrapped).parameters["a"].annotation is int
    assert wrapped.__name__ == "f"
    assert wrapped.__wrapped__ is f


# -- where request data comes from ----------------------------------------


async def test_static_scope_is_merged_with_call_time_scope() -> None:
    @with_fastapi_depends(
        scope={
            "path": "/static",
            "method": "POST",
            "headers": [(b"x-static", b"1")],
            "query_string": b"q=static",
        }
    )
    async def f(request: Request) -> dict[str, Any]:
        return {
            "path": request.url.path,
            "method": request.method,
            "x-static": request.headers.get("x-static"),
            "q": request.query_params.get("q"),
        }

    assert await f() == {
        "path": "/static",
        "method": "POST",
        "x-static": "1",
        "q": "static",
    }
    # _scope= wins key by key; keys it does not name keep the static value.
    assert await f(_scope={"path": "/dynamic", "query_string": b"q=dyn"}) == {
        "path": "/dynamic",
        "method": "POST",
        "x-static": "1",
        "q": "dyn",
    }
    assert "_scope" not in inspect.signature(f).parameters


def _read_headers(
    x_token: Annotated[str, Header()], x_tags: Annotated[list[str], Header()]
) -> tuple[str, list[str]]:
    return x_token, x_tags


async def _header_values(got: Annotated[Any, Depends(_read_headers)]) -> Any:
    return got


async def _request_header_values(request: Request) -> Any:
    return request.headers["x-token"], request.headers.getlist("x-tags")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Token": "a", "x-tags": "1"},
        {"x-token": b"a", "x-tags": ["1", "2"]},
        [("X-Token", "a"), ("x-tags", "1"), ("x-tags", "2")],
        [(b"x-token", b"a"), (b"x-tags", b"1"), (b"x-tags", b"2")],
    ],
)
async def test_header_only_trees_build_no_request_and_agree_with_one(
    headers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi_everywhere._engine import run

    built: list[object] = []
    real_build_request = run.build_request

    def spy(*args: Any, **kwargs: Any) -> Request:
        request = real_build_request(*args, **kwargs)
        built.append(request)
        return request

    monkeypatch.setattr(run, "build_request", spy)

    by_header = with_fastapi_depends(_header_values)
    by_request = with_fastapi_depends(_request_header_values)
    scope = {"headers": headers}
    from_headers = await by_header(_scope=scope)
    assert built == []  # read from the header list, without a Request
    assert from_headers == await by_request(_scope=scope)
    assert len(built) == 1
    assert from_headers[0] == "a"


def test_scope_of_a_fastapi_request_handed_to_a_background_task() -> None:
    users = {"token-alice": "alice", "token-bob": "bob"}

    def current_user(authorization: str = Header()) -> str:
        return users[authorization]

    sent: list[tuple[str, str, str]] = []

    @with_fastapi_depends
    async def notify(
        message: str, request: Request, user: str = Depends(current_user)
    ) -> None:
        sent.append((user, message, request.url.path))

    app = FastAPI()

    @app.post("/orders")
    async def create_order(request: Request, background: BackgroundTasks) -> dict:
        background.add_task(notify, "order created", _scope=request.scope)
        return {"ok": True}

    with TestClient(app) as client:
        r = client.post("/orders", headers={"Authorization": "token-alice"})
        assert r.status_code == 200
        r = client.post("/orders", headers={"Authorization": "token-bob"})
        assert r.status_code == 200
    assert sent == [
        ("alice", "order created", "/orders"),
        ("bob", "order created", "/orders"),
    ]


# -- FastAPI semantics ----------------------------------------------------


async def test_each_call_gets_a_fresh_cache() -> None:
    calls: list[int] = []

    async def counted() -> int:
        calls.append(1)
        return len(calls)

    def a(n: int = Depends(counted)) -> int:
        return n

    def b(n: int = Depends(counted)) -> int:
        return n

    @with_fastapi_depends
    async def f(x: int = Depends(a), y: int = Depends(b)) -> tuple[int, int]:
        return x, y

    assert await f() == (1, 1)
    assert len(calls) == 1
    assert await f() == (2, 2)
    assert len(calls) == 2


async def test_overrides_of_the_configured_app(app: FastAPI) -> None:
    @with_fastapi_depends
    async def f(db: str = Depends(get_db)) -> str:
        return db

    assert await f() == "db"
    app.dependency_overrides[get_db] = lambda: "fake-db"
    assert await f() == "fake-db"
    app.dependency_overrides.clear()
    assert await f() == "db"


async def test_an_override_replaced_in_place_takes_effect_at_the_next_call(
    app: FastAPI,
) -> None:
    # The plan of an overridden call is kept between calls: replacing one
    # override by another, in the same dict, must still reach the next call.
    @with_fastapi_depends
    async def f(db: str = Depends(get_db)) -> str:
        return db

    app.dependency_overrides[get_db] = lambda: "first"
    assert await f() == "first"
    assert await f() == "first"
    app.dependency_overrides[get_db] = lambda: "second"
    assert await f() == "second"
    other = FastAPI()
    other.dependency_overrides = {get_db: lambda: "other app"}
    assert await with_fastapi_depends(f.__wrapped__, app=other)() == "other app"
    assert await f() == "second"


async def test_overrides_of_the_app_argument_win_over_the_configured_app(
    app: FastAPI,
) -> None:
    app.dependency_overrides[get_db] = lambda: "configured"
    other = FastAPI()
    other.dependency_overrides[get_db] = lambda: "explicit"

    @with_fastapi_depends(app=other)
    async def f(request: Request, db: str = Depends(get_db)) -> tuple[str, Any]:
        return db, request.app

    assert await f() == ("explicit", other)


async def test_background_tasks_run_after_target_and_before_request_teardown() -> None:
    events: list[str] = []

    async def dep(background: BackgroundTasks):
        background.add_task(events.append, "background")
        events.append("setup")
        yield
        events.append("teardown")

    @with_fastapi_depends
    async def f(_: None = Depends(dep)) -> str:
        events.append("target")
        return "result"

    assert await f() == "result"
    if TEARDOWN_BEFORE_BACKGROUND:  # FastAPI < 0.120 ran them after teardown
        assert events == ["setup", "target", "teardown", "background"]
    else:
        assert events == ["setup", "target", "background", "teardown"]


@pytest.mark.skipif(
    "scope" not in inspect.signature(Depends).parameters,
    reason="Depends(scope=) arrived in FastAPI 0.121",
)
async def test_function_scoped_teardown_runs_before_background_tasks() -> None:
    events: list[str] = []

    async def dep(background: BackgroundTasks):
        background.add_task(events.append, "background")
        yield
        events.append("function-teardown")

    @with_fastapi_depends
    async def f(_: None = Depends(dep, scope="function")) -> None:
        events.append("target")

    await f()
    assert events == ["target", "function-teardown", "background"]


async def test_an_injected_response_is_shared_with_dependencies() -> None:
    def set_header(response: Response) -> Response:
        response.headers["x-from-dep"] = "1"
        response.status_code = 201
        return response

    @with_fastapi_depends
    # Not annotated Response: FastAPI < 0.120 refuses Depends on special types.
    async def f(response: Response, seen: Any = Depends(set_header)) -> Response:
        assert seen is response
        return response

    response = await f()
    assert isinstance(response, Response)
    assert response.headers["x-from-dep"] == "1"
    assert response.status_code == 201


async def test_context_vars_set_in_async_dependencies_reach_the_target() -> None:
    request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
    tenant: ContextVar[str | None] = ContextVar("tenant", default=None)

    async def set_request_id() -> None:
        request_id.set("req-1")

    async def set_tenant():
        tenant.set("acme")
        yield

    @with_fastapi_depends
    async def f(
        _a: None = Depends(set_request_id), _b: None = Depends(set_tenant)
    ) -> tuple[str | None, str | None]:
        return request_id.get(), tenant.get()

    assert await f() == ("req-1", "acme")

    @with_fastapi_depends
    def sync_target(
        _a: None = Depends(set_request_id), _b: None = Depends(set_tenant)
    ) -> tuple[str | None, str | None]:
        return request_id.get(), tenant.get()

    assert await sync_target() == ("req-1", "acme")


async def test_lifespan_state_is_request_state_inside_with_fastapi_lifecycle() -> None:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield {"pool": "the-pool"}

    app = FastAPI(lifespan=lifespan)
    configure(app=app)

    def get_pool(request: Request) -> str:
        return request.state.pool

    @with_fastapi_depends
    async def use_pool(pool: str = Depends(get_pool)) -> str:
        return pool

    @with_fastapi_lifecycle
    async def main() -> str:
        return await use_pool()

    assert await main() == "the-pool"
    # Outside the lifespan there is no state.
    with pytest.raises(AttributeError):
        await use_pool()


async def test_request_app_is_the_configured_app(app: FastAPI) -> None:
    @with_fastapi_depends
    async def f(request: Request) -> Any:
        return request.app

    assert await f() is app


# -- errors ---------------------------------------------------------------


async def test_missing_parameter_error_names_function_and_parameter() -> None:
    def needs_token(x_token: str = Header()) -> str:
        return x_token

    @with_fastapi_depends
    async def send_report(token: str = Depends(needs_token)) -> str:
        return token

    with pytest.raises(MissingParameterError) as info:
        await send_report()
    err = info.value
    assert isinstance(err, RequestValidationError)
    assert isinstance(err, FastAPIEverywhereError)
    assert "send_report" in str(err)
    assert "x-token" in str(err)
    assert "send_report" in err.function
    assert [e["loc"] for e in err.errors()] == [("header", "x-token")]
    assert err.errors()[0]["type"] == "missing"
    # With the header present the same call works.
    assert await send_report(_scope={"headers": [(b"x-token", b"t")]}) == "t"


async def test_invalid_value_raises_request_validation_error() -> None:
    @with_fastapi_depends
    async def page(limit: int = Query()) -> int:
        return limit

    with pytest.raises(RequestValidationError) as info:
        await page(_scope={"query_string": b"limit=abc"})
    assert not isinstance(info.value, MissingParameterError)
    [error] = info.value.errors()
    assert error["loc"] == ("query", "limit")
    assert error["type"] == "int_parsing"
    assert await page(_scope={"query_string": b"limit=7"}) == 7


async def test_a_websocket_parameter_is_a_clear_error() -> None:
    def needs_socket(websocket: WebSocket) -> WebSocket:
        return websocket

    @with_fastapi_depends
    async def f(ws: Any = Depends(needs_socket)) -> None: ...

    with pytest.raises(FastAPIEverywhereError) as info:
        await f()
    assert "needs_socket" in str(info.value)
    assert "'websocket'" in str(info.value)


async def test_a_websocket_parameter_on_the_target_is_a_clear_error() -> None:
    async def on_target(sock: WebSocket) -> None: ...

    with pytest.raises(FastAPIEverywhereError) as info:
        await with_fastapi_depends(on_target)()
    assert "on_target" in str(info.value)
    assert "'sock'" in str(info.value)


async def test_a_yield_dependency_swallowing_the_exception_is_fastapi_error() -> None:
    events: list[str] = []

    async def swallow():
        try:
            yield
        except ValueError:
            events.append("swallowed")

    @with_fastapi_depends
    async def f(_: None = Depends(swallow)) -> str:
        raise ValueError("lost")

    with pytest.raises(FastAPIError):
        await f()
    assert events == ["swallowed"]


async def test_the_target_exception_is_thrown_into_yield_dependencies() -> None:
    events: list[str] = []

    async def session():
        try:
            yield "session"
        except ValueError as e:
            events.append(f"rollback {e}")
            raise
        else:
            events.append("commit")

    @with_fastapi_depends
    async def f(fail: bool, s: str = Depends(session)) -> str:
        if fail:
            raise ValueError("bad")
        return s

    assert await f(False) == "session"
    with pytest.raises(ValueError, match="bad"):
        await f(True)
    assert events == ["commit", "rollback bad"]


def test_a_non_callable_is_rejected() -> None:
    with pytest.raises(TypeError, match="expected a function"):
        with_fastapi_depends(42)  # type: ignore[call-overload]


async def test_a_generic_alias_argument_is_the_callers() -> None:
    # On Python 3.10 ``isinstance(list[str], type)`` is true: reading such an
    # annotation as a possible Request/BackgroundTasks class raised TypeError.
    def settings() -> dict[str, str]:
        return {"greeting": "hi"}

    @with_fastapi_depends
    async def main(
        argv: list[str], extra: dict[str, int] | None = None, *, s=Depends(settings)
    ) -> str:
        return f"{s['greeting']} {' '.join(argv)} {extra}"

    assert await main(["a", "b"]) == "hi a b None"
    assert await main(["c"], {"n": 1}) == "hi c {'n': 1}"
