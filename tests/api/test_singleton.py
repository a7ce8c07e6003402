"""singleton: eager and lazy, standalone, in real FastAPI routes, with containers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from fastapi_everywhere import (
    AppState,
    CyclicDependencyError,
    FastAPIContainer,
    NoContainerError,
    container_lifespan,
    get_container,
    loop_safe,
    set_app_state_value,
    singleton,
)
from fastapi_everywhere.sync import FastAPIContainer as SyncContainer


@pytest.fixture(autouse=True)
def _empty_store() -> Iterator[None]:
    AppState.reset_standalone()
    yield
    AppState.reset_standalone()


class Settings:
    def __init__(self) -> None:
        self.url = "sqlite://"


class Database:
    def __init__(self, url: str) -> None:
        self.url = url


async def test_eager_builds_once_and_resolves_the_factory_tree_each_time() -> None:
    built: list[Database] = []
    settings_made: list[Settings] = []

    def settings() -> Settings:
        made = Settings()
        settings_made.append(made)
        return made

    @singleton(key="db")
    def get_db(s: Settings = Depends(settings)) -> Database:
        built.append(Database(s.url))
        return built[-1]

    async with FastAPIContainer() as first, FastAPIContainer() as second:
        a = await first.get(get_db)
        first.clear_cache()
        b = await first.get(get_db)
        c = await second.get(get_db)
    assert a is b is c is built[0] and len(built) == 1
    assert AppState.standalone().get("db") is a
    assert len(settings_made) == 3  # the sub-tree is resolved on each access


async def test_eager_runs_once_under_concurrency_and_caches_none() -> None:
    calls: list[int] = []

    @singleton
    async def slow() -> None:
        calls.append(1)
        await asyncio.sleep(0.01)

    async with FastAPIContainer() as one, FastAPIContainer() as two:
        results = await asyncio.gather(*(c.get(slow) for c in (one, two, one, two)))
        assert await two.get(slow) is None
    assert results == [None] * 4 and calls == [1]


async def test_a_preset_value_short_circuits_the_factory() -> None:
    @singleton(key="db")
    def get_db() -> Database:
        raise AssertionError("not built")

    set_app_state_value("db", "preset")
    async with FastAPIContainer() as container:
        assert await container.get(get_db) == "preset"


async def test_a_sync_factory_runs_in_the_threadpool_unless_loop_safe() -> None:
    threads: dict[str, int] = {}

    @singleton
    def pooled() -> int:
        threads["pooled"] = threading.get_ident()
        return 1

    @singleton
    @loop_safe
    def inline() -> int:
        threads["inline"] = threading.get_ident()
        return 2

    async with FastAPIContainer(inline_classes=True) as container:
        assert await container.get(pooled) == 1
        assert await container.get(inline) == 2
    assert threads["inline"] == threading.get_ident() != threads["pooled"]


def test_eager_refuses_yield_and_variadic_factories() -> None:
    def gen() -> Iterator[int]:
        yield 1

    async def agen() -> AsyncIterator[int]:
        yield 1

    def variadic(*args: int) -> int:
        return 1

    for factory in (gen, agen):
        with pytest.raises(
            TypeError, match=r"singleton: .*generator dependency.*lazy=True"
        ):
            singleton(factory)
    with pytest.raises(TypeError, match=r"singleton: factory .*variadic takes \*args"):
        singleton(variadic)
    with pytest.raises(TypeError, match=r"singleton: key must be a str"):
        singleton(key=1)  # type: ignore[call-overload]


def test_eager_singleton_is_shared_across_real_fastapi_requests() -> None:
    built: list[object] = []

    @singleton
    def get_client() -> object:
        built.append(object())
        return built[-1]

    app = FastAPI()
    seen: list[object] = []

    @app.get("/")
    def index(client: object = Depends(get_client)) -> dict[str, str]:
        seen.append(client)
        return {}

    with TestClient(app) as http:
        assert http.get("/").status_code == 200
        assert http.get("/").status_code == 200
    assert seen == [built[0], built[0]]
    assert len(built) == 1


async def test_lazy_builds_the_tree_once_and_tears_down_at_close() -> None:
    events: list[str] = []

    def settings() -> Settings:
        events.append("settings")
        return Settings()

    @singleton(key="client", lazy=True)
    async def get_client(s: Settings = Depends(settings)) -> AsyncIterator[Database]:
        events.append("open")
        yield Database(s.url)
        events.append("close")

    async with FastAPIContainer() as container:
        first = await container.get(get_client)
        container.clear_cache()
        async with container.scope() as scope:
            assert await scope.get(get_client) is first
        assert events == ["settings", "open"]
    assert events == ["settings", "open", "close"]
    # Torn down with its container, and forgotten: the next one builds anew.
    assert "client" not in AppState.standalone()
    async with FastAPIContainer() as again:
        assert await again.get(get_client) is not first


async def test_lazy_concurrent_first_accesses_build_one_instance() -> None:
    built: list[int] = []

    @singleton(lazy=True)
    async def get_value() -> int:
        await asyncio.sleep(0.01)
        built.append(1)
        return len(built)

    async with FastAPIContainer() as container:
        values = await asyncio.gather(*(container.get(get_value) for _ in range(5)))
    assert values == [1] * 5 and built == [1]


async def test_lazy_preset_needs_no_container_and_no_container_is_an_error() -> None:
    @singleton(key="thing", lazy=True)
    def get_thing() -> str:
        return "built"

    app = FastAPI()

    @app.get("/")
    def index(thing: str = Depends(get_thing)) -> dict[str, str]:
        return {"thing": thing}

    with TestClient(app, raise_server_exceptions=True) as http:
        with pytest.raises(NoContainerError, match=r"lazy singleton .*get_thing"):
            http.get("/")
        app.state.thing = "preset"
        assert http.get("/").json() == {"thing": "preset"}


def test_lazy_in_a_real_app_with_container_lifespan() -> None:
    events: list[str] = []

    @singleton(lazy=True)
    async def get_pool() -> AsyncIterator[object]:
        events.append("open")
        yield object()
        events.append("close")

    app = FastAPI(lifespan=container_lifespan)
    seen: list[object] = []

    @app.get("/")
    async def index(
        pool: object = Depends(get_pool),
        container: FastAPIContainer = Depends(get_container),
    ) -> dict[str, str]:
        seen.append(pool)
        assert container is app.state.container
        return {}

    with TestClient(app) as http:
        http.get("/")
        http.get("/")
        assert events == ["open"]
    assert events == ["open", "close"]
    assert seen[0] is seen[1]
    assert not hasattr(app.state, "container")


async def test_a_lazy_singleton_that_resolves_itself_is_a_cycle() -> None:
    async def build(container: FastAPIContainer = Depends(get_container)) -> object:
        return await container.get(looping)

    looping = singleton(build, lazy=True)
    async with FastAPIContainer() as container:
        with pytest.raises(CyclicDependencyError, match="depends on itself"):
            await asyncio.wait_for(container.get(looping), timeout=5)


def test_singleton_through_the_sync_container() -> None:
    @singleton(lazy=True)
    def get_value() -> Iterator[list[str]]:
        value: list[str] = []
        yield value
        value.append("closed")

    with SyncContainer() as container:
        value = container.get(get_value)
        assert container.get(get_value) is value
    assert value == ["closed"]


def test_the_wrapper_keeps_the_factory_name_and_no_wrapped_link() -> None:
    def get_db() -> Database:
        return Database("x")

    for lazy in (False, True):
        wrapped = singleton(get_db, lazy=lazy)
        assert wrapped.__qualname__ == get_db.__qualname__
        assert not hasattr(wrapped, "__wrapped__")
