"""check_routes_and_dependencies_are_async."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, FastAPI, WebSocket

from fastapi_everywhere import (
    FastAPIEverywhereError,
    check_routes_and_dependencies_are_async,
)


def sync_dep() -> int:
    return 1


def sync_gen_dep():
    yield 1


async def async_dep(x: int = Depends(sync_dep)) -> int:
    return x


async def async_gen_dep():
    yield 1


def make_mixed_app() -> FastAPI:
    app = FastAPI()

    @app.get("/sync")
    def sync_endpoint() -> dict:
        return {}

    @app.get("/async")
    async def async_endpoint(
        a: int = Depends(async_dep), g: int = Depends(sync_gen_dep)
    ) -> dict:
        return {}

    @app.get("/again")
    async def again(a: int = Depends(sync_dep)) -> dict:  # listed once
        return {}

    return app


def test_lists_sync_endpoints_and_dependencies() -> None:
    found = check_routes_and_dependencies_are_async(make_mixed_app(), raise_error=False)
    assert len(found) == 3
    text = "\n".join(found)
    assert "endpoint" in text and "sync_endpoint" in text and "GET /sync" in text
    assert "dependency" in text and "sync_dep" in text
    assert "sync_gen_dep" in text
    assert "async_endpoint" not in text
    assert "async_gen_dep" not in text


def test_raises_by_default() -> None:
    with pytest.raises(FastAPIEverywhereError) as info:
        check_routes_and_dependencies_are_async(make_mixed_app())
    message = str(info.value)
    assert "3 sync" in message
    assert "sync_endpoint" in message
    assert "sync_dep" in message


def test_an_all_async_app_passes() -> None:
    app = FastAPI()
    router = APIRouter()

    @router.get("/a")
    async def a(x: int = Depends(async_gen_dep)) -> dict:
        return {}

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None: ...

    app.include_router(router)
    assert check_routes_and_dependencies_are_async(app) == []


def test_websocket_routes_are_checked() -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket, x: int = Depends(sync_dep)) -> None: ...

    [line] = check_routes_and_dependencies_are_async(app, raise_error=False)
    assert "sync_dep" in line and "WS /ws" in line
