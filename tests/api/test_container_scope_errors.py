"""A ``scope()`` block that raises: its exception reaches the SCOPED ``yield``
dependencies, as a route's exception reaches a request's in FastAPI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import BackgroundTasks, Depends, FastAPI
from fastapi.testclient import TestClient

from fastapi_everywhere import DependencyScope, FastAPIContainer, sync


class Session:
    def __init__(self) -> None:
        self.events: list[str] = []


def make_deps(events: list[str]) -> tuple[Any, Any]:
    async def session() -> AsyncIterator[Session]:
        s = Session()
        try:
            yield s
        except Exception as e:
            events.append(f"rollback {type(e).__name__}")
            raise
        else:
            events.append("commit")

    def sync_session() -> Iterator[Session]:
        s = Session()
        try:
            yield s
        except Exception as e:
            events.append(f"sync rollback {type(e).__name__}")
            raise
        else:
            events.append("sync commit")

    return session, sync_session


def test_fastapi_throws_the_routes_exception_into_the_dependency() -> None:
    # The behaviour the container follows, in a real FastAPI app.
    events: list[str] = []
    session, sync_session = make_deps(events)
    app = FastAPI()

    @app.get("/fail")
    async def fail(s=Depends(session), t=Depends(sync_session)) -> None:
        raise KeyError("route")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/fail").status_code == 500
    assert events == ["sync rollback KeyError", "rollback KeyError"]


async def test_the_blocks_exception_reaches_scoped_yield_dependencies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []
    session, sync_session = make_deps(events)
    ran: list[str] = []

    def after(tasks: BackgroundTasks, s=Depends(session)) -> None:
        tasks.add_task(ran.append, "after")

    container = FastAPIContainer(default_scope=DependencyScope.SCOPED)
    with caplog.at_level(logging.WARNING, logger="fastapi_everywhere"):
        with pytest.raises(KeyError, match="block"):
            async with container.scope() as scope:
                await scope.get(session)
                await scope.get(sync_session)
                await scope.invoke(after)
                raise KeyError("block")
    # Reverse order, each seeing the block's exception; no background task.
    assert events == ["sync rollback KeyError", "rollback KeyError"]
    assert ran == []
    assert "background tasks not run" in caplog.text
    # A block that ends normally commits and runs its tasks.
    events.clear()
    async with container.scope() as scope:
        await scope.invoke(after)
    assert events == ["commit"]
    assert ran == ["after"]
    await container.aclose()


async def test_a_teardown_that_raises_replaces_the_blocks_exception() -> None:
    async def strict() -> AsyncIterator[int]:
        try:
            yield 1
        except KeyError as e:
            raise RuntimeError("teardown saw the block fail") from e

    container = FastAPIContainer(default_scope=DependencyScope.SCOPED)
    with pytest.raises(RuntimeError, match="teardown saw") as info:
        async with container.scope() as scope:
            await scope.get(strict)
            raise KeyError("block")
    assert isinstance(info.value.__cause__, KeyError)
    await container.aclose()


def test_the_sync_containers_block_exception_reaches_them_too() -> None:
    events: list[str] = []
    session, sync_session = make_deps(events)
    with sync.FastAPIContainer(default_scope=DependencyScope.SCOPED) as container:
        with pytest.raises(ValueError, match="sync block"):
            with container.scope() as scope:
                scope.get(session)
                scope.get(sync_session)
                raise ValueError("sync block")
        assert events == ["sync rollback ValueError", "rollback ValueError"]
        events.clear()
        with container.scope() as scope:
            scope.get(session)
        assert events == ["commit"]
