"""FastAPIContainer(inline_classes=, app_state=, dependant_cache=), get_container."""

from __future__ import annotations

import functools
import threading

import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import (
    AppState,
    DependantCache,
    FastAPIContainer,
    NoContainerError,
    ResolutionScope,
    get_app_state,
    get_container,
)
from fastapi_everywhere.sync import FastAPIContainer as SyncContainer


class Where:
    def __init__(self) -> None:
        self.thread = threading.get_ident()


def where_function() -> int:
    return threading.get_ident()


async def test_inline_classes_is_per_container_and_only_for_classes() -> None:
    here = threading.get_ident()
    async with FastAPIContainer(inline_classes=True) as inline:
        assert (await inline.get(Where)).thread == here
        assert await inline.get(where_function) != here  # functions: threadpool
    # Same dependency, same process: the other container's plan is its own.
    async with FastAPIContainer() as pooled:
        assert (await pooled.get(Where)).thread != here
    async with FastAPIContainer(inline_classes=True) as inline:
        assert await inline.invoke(lambda w=Depends(Where): w.thread) == here
        assert (await inline.get(functools.partial(Where))).thread == here


def test_inline_classes_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="FastAPIContainer: inline_classes must be"):
        FastAPIContainer(inline_classes="yes")  # type: ignore[arg-type]


async def test_app_state_backs_get_app_state_and_request_app() -> None:
    state = AppState()
    state.set("db", "the-db")

    def read(request: Request, s: AppState = Depends(get_app_state)) -> tuple[str, str]:
        return s.get("db"), getattr(request.app.state, "db", None)

    async with FastAPIContainer(app_state=state) as container:
        assert await container.get(read) == ("the-db", "the-db")
    async with FastAPIContainer() as container:  # the process-wide store
        assert await container.get(read) == (None, None)


def test_app_state_errors() -> None:
    with pytest.raises(TypeError, match="FastAPIContainer: app_state must be an"):
        FastAPIContainer(app_state={"a": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="app_state is not the state of app"):
        FastAPIContainer(app=FastAPI(), app_state=AppState())
    app = FastAPI()
    FastAPIContainer(app=app, app_state=AppState.from_app(app))


async def test_get_container_gives_the_resolving_container() -> None:
    async with FastAPIContainer() as container:
        assert await container.get(get_container) is container
        async with container.scope() as scope:
            assert isinstance(scope, ResolutionScope)
            assert await scope.invoke(lambda c=Depends(get_container): c) is container
    with SyncContainer(inline_classes=True) as sync_container:
        found = sync_container.get(get_container)
        assert isinstance(found, FastAPIContainer)
        assert sync_container.optional(get_container) is found


def test_get_container_without_one_is_a_runtime_error() -> None:
    with pytest.raises(
        RuntimeError, match="get_container: No FastAPIContainer registered"
    ):
        get_container(AppState())
    assert issubclass(NoContainerError, RuntimeError)


def test_dependant_cache_argument() -> None:
    cache = DependantCache()
    container = FastAPIContainer(dependant_cache=cache)
    assert container.dependant_cache is cache
    assert FastAPIContainer(dependant_cache=False).dependant_cache is None
    assert isinstance(FastAPIContainer().dependant_cache, DependantCache)
    with pytest.raises(TypeError, match="dependant_cache must be"):
        FastAPIContainer(dependant_cache="x")  # type: ignore[arg-type]
    from fastapi.dependencies.utils import get_dependant

    dependant = get_dependant(path="", call=where_function)
    cache.set_dependant(where_function, dependant)
    assert cache.get_dependant(where_function) is dependant and len(cache) == 1
    cache.clear()
    assert cache.get_dependant(where_function) is None
