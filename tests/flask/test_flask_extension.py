"""The extension: config, lifespan once per process, async routes, views, errors.

(No ``from __future__ import annotations``: the views annotate with local names.)
"""

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from flask import Blueprint
from flask import request as flask_request
from flask.views import MethodView

from fastapi_everywhere._bridge import loop
from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

LIFESPAN_EVENTS: list[str] = []


def lifespan_app() -> FastAPI:
    """A FastAPI app whose lifespan owns an asyncio resource bound to its loop."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        LIFESPAN_EVENTS.append("startup")
        queue: asyncio.Queue[int] = asyncio.Queue()  # usable on this loop only
        yield {"queue": queue, "loop": asyncio.get_running_loop()}
        LIFESPAN_EVENTS.append("shutdown")

    return FastAPI(lifespan=lifespan)


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    LIFESPAN_EVENTS.clear()


def test_init_app_starts_nothing_and_registers_once(make_app: Any) -> None:
    app = make_app(lifespan_app())
    state = app.extensions["fastapi_everywhere"]
    assert LIFESPAN_EVENTS == [] and state.lifespan is not None
    assert not state.lifespan.running
    with pytest.raises(
        RuntimeError, match="already has the fastapi_everywhere extension"
    ):
        FastAPIDepends(app)


def test_lifespan_starts_once_on_first_use_under_concurrency(make_app: Any) -> None:
    app = make_app(lifespan_app())

    async def queue_size(request: Request) -> int:
        queue = request.state.queue
        await queue.put(1)  # fails off the lifespan's loop
        return queue.qsize()

    @app.get("/")
    @with_fastapi_depends
    def view(*, size: Annotated[int, Depends(queue_size)]) -> Any:
        return {"size": size}

    barrier = threading.Barrier(8)

    def hit(_: int) -> int:
        barrier.wait(timeout=10)
        r = app.test_client().get("/")
        assert r.status_code == 200, r.data
        return int(r.get_json()["size"])

    with ThreadPoolExecutor(8) as pool:
        sizes = sorted(pool.map(hit, range(8)))
    assert sizes == list(range(1, 9))  # one queue: one lifespan
    assert LIFESPAN_EVENTS == ["startup"]
    app.extensions["fastapi_everywhere"].close_lifespan()
    assert LIFESPAN_EVENTS == ["startup", "shutdown"]


def test_config_import_string_error_handler_and_timeout(make_app: Any) -> None:
    calls: list[Exception] = []

    def handler(exc: Exception) -> Any:
        calls.append(exc)
        return (
            ({"mine": True}, 400) if isinstance(exc, RequestValidationError) else None
        )

    app = make_app(
        FASTAPI_EVERYWHERE_APP="demo.app:app",
        FASTAPI_EVERYWHERE_ERROR_HANDLER=handler,
        FASTAPI_EVERYWHERE_TIMEOUT=30.0,
        FASTAPI_EVERYWHERE_LIFESPAN=False,
    )
    import demo.app

    state = app.extensions["fastapi_everywhere"]
    assert (state.fastapi_app, state.timeout, state.lifespan) == (
        demo.app.app,
        30.0,
        None,
    )

    @app.get("/")
    @with_fastapi_depends
    def view(
        *, n: Annotated[int, Query()], fail: Annotated[bool, Query()] = False
    ) -> Any:
        if fail:
            raise HTTPException(409, "conflict")
        return str(n)

    client = app.test_client()
    assert (client.get("/?n=x").status_code, client.get("/?n=x").get_json()) == (
        400,
        {"mine": True},
    )
    r = client.get("/?n=1&fail=true")  # the hook returned None: FastAPI's rendering
    assert (r.status_code, r.get_json()) == (409, {"detail": "conflict"})
    assert [type(e).__name__ for e in calls][-1] == "HTTPException"


@pytest.mark.parametrize("bad", ["demo.app", "demo.deps:get_settings"])
def test_bad_app_config_is_a_clear_error(make_app: Any, bad: str) -> None:
    app = make_app(FASTAPI_EVERYWHERE_APP=bad)
    with pytest.raises((ValueError, TypeError), match="FASTAPI_EVERYWHERE_APP"):
        app.extensions["fastapi_everywhere"].fastapi_app  # noqa: B018


def test_flask_error_handlers_and_fastapi_handlers_win(make_app: Any) -> None:
    api = FastAPI()

    @api.exception_handler(HTTPException)
    async def plain(request: Request, exc: HTTPException) -> PlainTextResponse:
        return PlainTextResponse(f"api says {exc.detail}", status_code=exc.status_code)

    app = make_app(api)

    @app.errorhandler(RequestValidationError)
    def flask_422(exc: RequestValidationError) -> Any:
        return {"flask": len(exc.errors())}, 422

    @app.get("/")
    @with_fastapi_depends
    def view(*, n: Annotated[int, Query()]) -> Any:
        raise HTTPException(403, "nope")

    client = app.test_client()
    assert client.get("/").get_json() == {"flask": 1}  # Flask's handler for the type
    r = client.get("/?n=1")  # the FastAPI app's own exception handler
    assert (r.status_code, r.data) == (403, b"api says nope")


def test_async_route_runs_on_the_shared_loop(make_app: Any) -> None:
    app = make_app(lifespan_app())

    async def on_loop(request: Request) -> bool:
        return asyncio.get_running_loop() is request.state.loop

    @app.get("/<name>")
    @with_fastapi_depends
    async def view(
        name: str, *, same_loop: Annotated[bool, Depends(on_loop)], request: Request
    ) -> Any:
        await asyncio.sleep(0)
        return {
            "name": name,
            "dep_on_lifespan_loop": same_loop,
            "view_on_lifespan_loop": asyncio.get_running_loop() is request.state.loop,
            "on_loop_thread": loop.in_loop_thread(),
            "flask_request": flask_request.path,  # Flask's context reaches the loop
        }

    r = app.test_client().get("/ann")
    body = r.get_json()
    assert body["name"] == "ann" and body["flask_request"] == "/ann"
    assert body["dep_on_lifespan_loop"] and body["view_on_lifespan_loop"]
    assert body["on_loop_thread"]  # not an asgiref loop made for this call


def test_blueprint_and_method_view(make_app: Any) -> None:
    def user(x_user: Annotated[str, Query()]) -> str:
        return x_user

    User = Annotated[str, Depends(user)]
    bp = Blueprint("items", __name__, url_prefix="/items")

    class ItemView(MethodView):
        @with_fastapi_depends
        def get(self, item_id: int, *, who: User) -> Any:
            return {"item": item_id, "who": who, "view": type(self).__name__}

        @with_fastapi_depends
        async def post(self, item_id: int, *, who: User) -> Any:
            return {"created": item_id, "who": who}

    bp.add_url_rule("/<int:item_id>", view_func=ItemView.as_view("item"))
    app = make_app()
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/items/3?x_user=a").get_json() == {
        "item": 3,
        "who": "a",
        "view": "ItemView",
    }
    assert client.post("/items/4?x_user=b").get_json() == {"created": 4, "who": "b"}
    r = client.get("/items/3")
    assert (r.status_code, r.get_json()["detail"][0]["loc"]) == (
        422,
        ["query", "x_user"],
    )


def test_lifespan_shuts_down_at_interpreter_exit(tmp_path: Any) -> None:
    """A real process: first request starts the lifespan, exit shuts it down."""
    log = tmp_path / "events.log"
    script = textwrap.dedent(
        f"""
        import os
        from contextlib import asynccontextmanager
        from fastapi import FastAPI
        from flask import Flask
        from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

        def note(event):
            with open({str(log)!r}, "a") as f:
                f.write(f"{{event}} {{os.getpid()}}\\n")

        @asynccontextmanager
        async def lifespan(app):
            note("startup")
            yield
            note("shutdown")

        app = Flask("exit")
        FastAPIDepends(app, fastapi_app=FastAPI(lifespan=lifespan))

        @app.get("/")
        @with_fastapi_depends
        def view():
            return "ok"

        note("init_app done")
        client = app.test_client()
        assert client.get("/").data == b"ok" and client.get("/").data == b"ok"
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    events = [line.split()[0] for line in log.read_text().splitlines()]
    assert events == ["init_app", "startup", "shutdown"]
    assert len({line.split()[-1] for line in log.read_text().splitlines()}) == 1
    assert os.getpid() not in {
        int(line.split()[-1]) for line in log.read_text().splitlines()
    }


def test_flask_native_async_route_is_unaffected(make_app: Any) -> None:
    app = make_app()

    @app.get("/")
    async def native() -> str:
        await asyncio.sleep(0)
        return "native"

    assert app.test_client().get("/").data == b"native"


def test_no_flask_context_leaks_into_the_calling_thread(make_app: Any) -> None:
    """The loop tasks of a request and of the lifespan hand back no Flask context."""
    from flask import Response as FlaskResponse
    from flask import has_app_context, has_request_context

    app = make_app(lifespan_app())

    async def async_dep() -> str:
        return "a"

    @app.get("/")
    @with_fastapi_depends
    async def view(*, a: Annotated[str, Depends(async_dep)]) -> Any:
        return FlaskResponse(iter([a, "b"]))  # streamed: closed after the body

    with app.test_client().get("/") as r:
        assert r.data == b"ab"
    app.extensions["fastapi_everywhere"].close_lifespan()
    assert LIFESPAN_EVENTS == ["startup", "shutdown"]
    assert not has_request_context() and not has_app_context()
