"""patch_for_registrable_dependency_support: interfaces inside real FastAPI routes."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from fastapi_everywhere import (
    FastAPIContainer,
    RegistrableDependency,
    patch_for_registrable_dependency_support,
)
from fastapi_everywhere._registrable_patch import undo_registrable_patch


class Clock(RegistrableDependency):
    @abstractmethod
    def now(self) -> str: ...


class FixedClock(Clock):
    def now(self) -> str:
        return "noon"


made_before = Depends(Clock)  # built before the patch: follows it too


@pytest.fixture
def patched() -> Iterator[None]:
    Clock.register(FixedClock)
    assert patch_for_registrable_dependency_support() is True
    assert patch_for_registrable_dependency_support() is False
    yield
    assert undo_registrable_patch() is True
    Clock.register(None)


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/new")
    def new(clock: Clock = Depends(Clock)) -> str:
        return clock.now()

    @app.get("/old")
    def old(clock: Clock = made_before) -> str:
        return clock.now()

    @app.get("/annotated")
    def annotated(clock: Annotated[Clock, Depends()]) -> str:
        return clock.now()

    return app


def test_without_the_patch_fastapi_builds_the_interface() -> None:
    Clock.register(FixedClock)
    try:
        with TestClient(_app(), raise_server_exceptions=True) as http:
            with pytest.raises(TypeError, match="abstract"):
                http.get("/new")
    finally:
        Clock.register(None)


@pytest.mark.usefixtures("patched")
async def test_routes_resolve_the_binding_old_and_new_depends() -> None:
    with TestClient(_app()) as http:
        for path in ("/new", "/old", "/annotated"):
            assert http.get(path).json() == "noon", path
    assert isinstance(made_before.dependency, type)
    assert made_before.dependency is FixedClock
    async with FastAPIContainer() as container:  # the engine agrees
        assert (await container.get(Clock)).now() == "noon"


def test_undo_restores_the_field() -> None:
    assert undo_registrable_patch() is False
    assert Depends(Clock).dependency is Clock
