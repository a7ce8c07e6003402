"""A lifespan a server runs is the process's: shared, on the server's loop.

``share_lifespan`` wraps ``app.router.lifespan_context`` so that a server
running it (here FastAPI's ``TestClient``) runs it through
``served_lifespan``; the adapters and the sync API then find it running on
the server's loop and start neither a second lifespan nor a loop thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.testclient import TestClient

import fastapi_everywhere
import fastapi_everywhere.sync
from fastapi_everywhere._bridge import loop as _loop
from fastapi_everywhere._host import ProcessLifespan, share_lifespan


def _loop_threads() -> int:
    return sum(t.name == "fastapi-everywhere-loop" for t in threading.enumerate())


def _app(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("start")
        yield {"loop": asyncio.get_running_loop()}
        events.append("stop")

    return FastAPI(lifespan=lifespan)


async def state_loop(request: Request) -> dict[str, Any]:
    return {
        "lifespan_loop": request.state.loop,
        "running": asyncio.get_running_loop(),
    }


Loops = Annotated[dict[str, Any], Depends(state_loop)]


@pytest.mark.usefixtures("no_loop_thread")
def test_sync_callers_use_the_served_lifespan_and_its_loop() -> None:
    events: list[str] = []
    api = _app(events)
    fastapi_everywhere.configure(app=api)
    lifespan = ProcessLifespan(api, name="test")  # what an adapter holds

    @fastapi_everywhere.sync.with_fastapi_depends
    def report(*, loops: Loops) -> dict[str, Any]:
        return loops

    @api.get("/")
    def route() -> bool:  # FastAPI runs a sync route in a worker thread
        lifespan.ensure_started()  # served: starts nothing
        loops = report()
        return bool(loops["running"] is loops["lifespan_loop"])

    with TestClient(api) as client:
        assert client.get("/").json() is True
        assert _loop_threads() == 0
    assert events == ["start", "stop"]
    assert not lifespan.running


@pytest.mark.usefixtures("no_loop_thread")
def test_the_sync_api_on_the_servers_own_thread_uses_the_loop_thread() -> None:
    events: list[str] = []
    api = _app(events)
    fastapi_everywhere.configure(app=api)
    share_lifespan(api)

    @fastapi_everywhere.sync.with_fastapi_depends
    def which(*, loops: Loops) -> bool:
        return loops["running"] is loops["lifespan_loop"]

    @api.get("/")
    async def route() -> bool:
        # Blocking the server's loop: it cannot wait for itself, so the step
        # goes to the library's loop thread instead of deadlocking.
        return which()

    with TestClient(api) as client:
        assert client.get("/").json() is False
    assert events == ["start", "stop"]


def test_share_lifespan_is_idempotent_and_keeps_our_own_runs_working() -> None:
    events: list[str] = []
    api = _app(events)
    share_lifespan(api)
    wrapped = api.router.lifespan_context
    share_lifespan(api)
    assert api.router.lifespan_context is wrapped

    @fastapi_everywhere.sync.with_fastapi_lifecycle(app=api)
    def script() -> str:
        return "done"

    assert script() == "done"  # our own run opens the app's lifespan, once
    assert events == ["start", "stop"]


def test_a_router_lifespan_merged_after_the_wrap_runs_once() -> None:
    events: list[str] = []
    api = _app(events)
    share_lifespan(api)

    @asynccontextmanager
    async def router_lifespan(app: Any) -> AsyncIterator[None]:
        events.append("router start")
        yield
        events.append("router stop")

    router = APIRouter(lifespan=router_lifespan)
    api.include_router(router)
    with TestClient(api):
        pass
    assert sorted(events) == sorted(["start", "router start", "router stop", "stop"])
    events.clear()

    @fastapi_everywhere.sync.with_fastapi_lifecycle(app=api)
    def script() -> None:
        pass

    script()
    assert sorted(events) == sorted(["start", "router start", "router stop", "stop"])


def test_a_failing_served_start_up_is_reported_to_the_server() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    api = FastAPI(lifespan=lifespan)
    share_lifespan(api)
    with pytest.raises(Exception, match="no database"), TestClient(api):
        pass
    assert _loop.sync_callers_loop() is _loop.get_loop()  # nothing serves
