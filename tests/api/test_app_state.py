"""AppState, get_app_state and set_app_state_value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from starlette.datastructures import State

from fastapi_everywhere import (
    AppState,
    FastAPIContainer,
    get_app_state,
    set_app_state_value,
    with_fastapi_depends,
)
from fastapi_everywhere.sync import FastAPIContainer as SyncContainer
from fastapi_everywhere.sync import with_fastapi_depends as sync_with_fastapi_depends


def get_pool(state: AppState = Depends(get_app_state)) -> object:
    return state.get("pool")


def test_value_is_visible_in_a_real_request_and_standalone(app: FastAPI) -> None:
    pool = object()
    set_app_state_value("pool", pool)
    assert app.state.pool is pool

    seen: list[object] = []

    @app.get("/")
    async def index(p: object = Depends(get_pool)) -> dict:
        seen.append(p)
        return {}

    with TestClient(app) as client:
        assert client.get("/").status_code == 200
    assert seen == [pool]

    @with_fastapi_depends
    async def job(p: object = Depends(get_pool)) -> object:
        return p

    import asyncio

    assert asyncio.run(job()) is pool


async def test_standalone_in_a_container_and_explicit_app() -> None:
    other = FastAPI()
    set_app_state_value("pool", "other-pool", app=other)
    async with FastAPIContainer(app=other) as container:
        assert await container.get(get_pool) == "other-pool"


@pytest.fixture
def standalone_store() -> Iterator[AppState]:
    store = AppState.standalone()
    yield store
    for key in list(store.as_state()._state):
        store.delete(key)


async def test_without_an_app_a_process_wide_store_is_used(
    standalone_store: AppState,
) -> None:
    set_app_state_value("pool", "process-pool")
    assert standalone_store.get("pool") == "process-pool"

    @with_fastapi_depends
    async def job(p: object = Depends(get_pool)) -> object:
        return p

    assert await job() == "process-pool"


def test_app_state_facade() -> None:
    state = AppState()
    assert state.get("missing") is None
    assert state.get("missing", 1) == 1
    state.set("a", 1)
    assert "a" in state
    assert state.get("a") == 1
    assert "'a': 1" in repr(state)
    state.delete("a")
    assert "a" not in state
    state.delete("a")  # absent: nothing to do (as in fastapi-standalone-di)
    assert isinstance(state.as_state(), State)
    app = FastAPI()
    AppState.from_app(app).set("x", 2)
    assert app.state.x == 2


@pytest.fixture
def _standalone_db() -> Iterator[None]:
    set_app_state_value("db", "the-db")
    yield
    AppState.standalone().delete("db")


async def handler(request: Request) -> dict:
    return {
        "limit": request.query_params.get("limit"),
        "db": request.app.state.db,
        "body": await request.body(),
    }


@pytest.mark.usefixtures("_standalone_db")
async def test_request_app_without_an_app_in_the_container() -> None:
    # The container vocabulary's documented example, as written.
    c = FastAPIContainer(query={"limit": "10"})
    assert await c.invoke(handler) == {"limit": "10", "db": "the-db", "body": b""}
    await c.aclose()
    with SyncContainer(query={"limit": "3"}) as sc:
        assert sc.invoke(handler) == {"limit": "3", "db": "the-db", "body": b""}


@pytest.mark.usefixtures("_standalone_db")
async def test_request_app_without_an_app_in_the_decorators() -> None:
    seen = await with_fastapi_depends(handler)(_scope={"query_string": b"limit=1"})
    assert seen == {"limit": "1", "db": "the-db", "body": b""}

    def sync_view(request: Request) -> object:
        return request.app.state.db, request.app

    db, standalone = sync_with_fastapi_depends(sync_view)()
    assert db == "the-db"
    assert "no FastAPI app configured" in repr(standalone)
    # get_app_state reads the same store through request.app.
    assert (
        AppState.from_request(Request({"type": "http", "app": standalone})).get("db")
        == "the-db"
    )


@pytest.mark.usefixtures("_standalone_db")
async def test_request_app_is_the_configured_app_when_there_is_one(
    app: FastAPI,
) -> None:
    app.state.db = "app-db"
    c = FastAPIContainer()

    def read(request: Request) -> tuple[object, str]:
        return request.app, request.app.state.db

    result = await c.invoke(read)
    await c.aclose()
    assert result == (app, "app-db")
