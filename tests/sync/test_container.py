"""sync.FastAPIContainer: the async container's methods as plain sync methods."""

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Header, Request

from fastapi_everywhere import DependencyScope, ScopeError, sync


class Counter:
    def __init__(self) -> None:
        self.built = 0
        self.events: list[str] = []

    def plain(self) -> int:
        self.built += 1
        return self.built

    async def resource(self) -> AsyncIterator[int]:
        self.built += 1
        n = self.built
        self.events.append(f"setup {n}")
        try:
            yield n
        finally:  # also when a scope() block's exception is thrown in
            self.events.append(f"teardown {n}")


def test_get_caches_and_close_tears_down_in_reverse() -> None:
    c = Counter()
    with sync.FastAPIContainer() as container:
        assert container.get(c.plain) == 1
        assert container.get(Depends(c.plain)) == 1
        assert container.get(Annotated[int, Depends(c.plain)]) == 1
        assert container.get(c.resource) == 2
        assert container.get(Depends(c.resource, use_cache=False)) == 3
    assert c.events == ["setup 2", "setup 3", "teardown 3", "teardown 2"]
    assert "sync.FastAPIContainer" in repr(container)


def test_scopes_resolve_and_invoke() -> None:
    c = Counter()
    container = sync.FastAPIContainer(scopes={c.resource: DependencyScope.SCOPED})
    with pytest.raises(ScopeError):
        container.get(c.resource)
    with container.scope() as scope:
        assert scope.get(c.resource) == 1
        assert scope.get(c.resource) == 1
        resolved = scope.resolve(c.plain, c.resource)
        assert resolved.get(c.plain) == 2
        assert resolved.get(c.resource) == 1
    assert c.events == ["setup 1", "teardown 1"]
    with pytest.raises(ValueError):
        with container.scope() as scope:
            scope.get(c.resource)
            raise ValueError
    assert c.events[-1] == "teardown 3"

    def handler(greeting: str, n: Annotated[int, Depends(c.plain)]) -> str:
        return f"{greeting} {n}"

    assert container.invoke(handler, "hi") == "hi 2"  # c.plain is cached
    assert container.invoke_resolved(handler, "yo").get(handler) == "yo 2"
    container.close()
    container.close()  # idempotent


def test_sources_overrides_and_clear_cache() -> None:
    def token(x_token: Annotated[str, Header()]) -> str:
        return x_token

    app = FastAPI()
    container = sync.FastAPIContainer(app=app, headers={"x-token": "t"})
    assert container.app is app
    assert container.get(token) == "t"
    container.dependency_overrides[token] = lambda: "override"
    container.clear_cache()
    assert container.get(token) == "override"
    container.close()


def test_async_client_is_closed_in_the_task_that_opened_it() -> None:
    tasks: list[object] = []

    async def client(request: Request) -> AsyncIterator[httpx.AsyncClient]:
        tasks.append(asyncio.current_task())
        async with httpx.AsyncClient() as c:
            yield c
        tasks.append(asyncio.current_task())

    with sync.FastAPIContainer() as container:
        c = container.get(client)
        assert not c.is_closed
    assert c.is_closed
    assert len(tasks) == 2 and tasks[0] is tasks[1]


def test_many_threads_share_one_instance() -> None:
    c = Counter()
    with sync.FastAPIContainer() as container:
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(container.get(c.resource)))
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [1] * 8
    assert c.events == ["setup 1", "teardown 1"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_forked_child_starts_afresh() -> None:
    c = Counter()
    container = sync.FastAPIContainer()
    assert container.get(c.resource) == 1
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        ok = container.get(c.resource) == 2  # a fresh container in the child
        container.close()
        os._exit(0 if ok and c.events == ["setup 1", "setup 2", "teardown 2"] else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert container.get(c.resource) == 1  # the parent's is untouched
    container.close()
    assert c.events == ["setup 1", "teardown 1"]
