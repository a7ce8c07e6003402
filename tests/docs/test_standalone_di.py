"""The examples of docs/standalone_di.md (switching from fastapi-standalone-di)
run and do what the page says."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated

import docs_src.standalone_di.differences as differences
import docs_src.standalone_di.singleton as singleton
import docs_src.standalone_di.switch as switch
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

import fastapi_everywhere as fe


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    fe.AppState.reset_standalone()
    yield
    fe.reset_config()
    fe.AppState.reset_standalone()
    switch.Clock.register(None)
    differences.Notifier.register(None)


def test_the_predecessors_usage_with_the_import_changed() -> None:
    switch.log.clear()
    said = asyncio.run(switch.main())
    assert said == ["ann at 2026-12-03 on db"] * 2
    # CONTAINER by default: one db for the container; SCOPED: a session per scope.
    assert switch.log == ["db opened", "session", "session", "db closed"]


def test_eager_singleton_once_lazy_singleton_once_per_container() -> None:
    singleton.log.clear()
    db1, pool1, db2, pool2 = asyncio.run(singleton.main())
    assert db1 is db2
    assert pool1 is not pool2
    assert pool1.closed and pool2.closed
    assert singleton.log == [
        "database built",
        "pool opened",
        "pool closed",
        "pool opened",
        "pool closed",
    ]


def test_a_preset_value_is_used_and_the_factory_never_runs() -> None:
    singleton.log.clear()
    preset = singleton.Database("preset://")
    singleton.log.clear()
    fe.set_app_state_value("db", preset)

    async def get() -> object:
        async with fe.FastAPIContainer() as container:
            return await container.get(singleton.get_db)

    assert asyncio.run(get()) is preset
    assert singleton.log == []


def test_routes_and_containers_share_the_eager_singleton() -> None:
    app = FastAPI()

    @app.get("/db")
    def route(db: Annotated[singleton.Database, Depends(singleton.get_db)]) -> int:
        return id(db)

    fe.configure(app=app)

    async def get() -> object:
        async with fe.FastAPIContainer() as container:
            return await container.get(singleton.get_db)

    db = asyncio.run(get())
    with TestClient(app) as client:
        assert client.get("/db").json() == id(db)
    assert app.state.db is db


def test_the_differences() -> None:
    assert differences.main() == (4, 6, "GET", "mail: hi")
    assert asyncio.run(differences.main_async()) == 4


def test_register_wants_a_subclass() -> None:
    class Unrelated:
        def send(self, text: str) -> str:
            return text

    with pytest.raises(TypeError, match="not a subclass of Notifier"):
        differences.Notifier.register(Unrelated)  # type: ignore[arg-type]


def test_container_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        fe.FastAPIContainer(fe.AppState())  # type: ignore[misc]


def test_missing_parameter_names_the_request_name() -> None:
    async def get() -> object:
        async with fe.FastAPIContainer() as container:
            return await container.get(switch.current_user)

    with pytest.raises(fe.MissingParameterError, match=r"header\.x-user") as caught:
        asyncio.run(get())
    assert isinstance(caught.value, fe.ParameterError)
    assert isinstance(caught.value, RuntimeError)


def test_every_resolution_has_a_request_without_a_server() -> None:
    def server(request: Request = None) -> object:  # type: ignore[assignment]
        return (request.method, request.url.path, request.scope["server"])

    async def get() -> object:
        async with fe.FastAPIContainer() as container:
            return await container.get(server)

    assert asyncio.run(get()) == ("GET", "/", None)
