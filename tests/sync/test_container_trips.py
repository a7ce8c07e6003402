"""How many round trips to the loop thread a sync container scope makes.

Every trip goes through ``OwnerTask.call`` (the one way a thread hands work to
the loop thread and waits); the tests count its calls. A scope costs no trip
of its own: its calls take one each, and its end one only when something is
left to tear down or run there.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from fastapi import BackgroundTasks, Depends

from fastapi_everywhere import DependencyScope, ScopeError, sync
from fastapi_everywhere._bridge.owner import OwnerTask


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the owner tasks called from this thread, in order."""
    made: list[str] = []
    call = OwnerTask.call

    def counting(self: OwnerTask, fn: Any, *, last: bool = False) -> Any:
        made.append(self.name)
        return call(self, fn, last=last)

    monkeypatch.setattr(OwnerTask, "call", counting)
    return made


class Settings:
    pass


class Repo:
    def __init__(self, settings: Annotated[Settings, Depends()]) -> None:
        self.settings = settings


async def user(repo: Annotated[Repo, Depends()]) -> str:
    return "ann"


def handler(name: Annotated[str, Depends(user)]) -> str:
    return name


def test_a_scope_with_one_call_is_one_trip(trips: list[str]) -> None:
    container = sync.FastAPIContainer(default_scope=DependencyScope.SCOPED)
    for _ in range(3):
        with container.scope() as scope:
            assert scope.invoke(handler) == "ann"
    assert trips == ["sync.FastAPIContainer.invoke"] * 3
    container.close()


def test_an_unused_scope_costs_no_trip(trips: list[str]) -> None:
    container = sync.FastAPIContainer(default_scope=DependencyScope.SCOPED)
    with container.scope() as scope:
        pass
    assert trips == []
    with pytest.raises(ScopeError, match="closed"):
        scope.invoke(handler)  # never entered, still closed
    assert trips == []
    container.close()


def test_container_instances_cached_the_scope_calls_still_one_trip_each(
    trips: list[str],
) -> None:
    container = sync.FastAPIContainer()  # every dependency CONTAINER
    with container.scope() as scope:
        assert scope.invoke(handler) == "ann"
        assert scope.get(user) == "ann"
    assert trips == ["sync.FastAPIContainer.invoke", "sync.FastAPIContainer.get"]
    container.close()


def test_teardown_left_in_the_scope_takes_the_one_trip_that_ends_it(
    trips: list[str],
) -> None:
    events: list[str] = []

    async def session() -> AsyncIterator[str]:
        events.append("open")
        yield "s"
        events.append("close")

    def sync_session() -> Iterator[str]:
        yield "t"
        events.append("sync close")

    def tasks(background_tasks: BackgroundTasks) -> str:
        background_tasks.add_task(events.append, "task")
        return "b"

    def uses(
        s: Annotated[str, Depends(session)],
        t: Annotated[str, Depends(sync_session)],
        b: Annotated[str, Depends(tasks)],
    ) -> str:
        return s + t + b

    container = sync.FastAPIContainer(default_scope=DependencyScope.SCOPED)
    with container.scope() as scope:
        assert scope.invoke(uses) == "stb"
        assert scope.invoke(uses) == "stb"  # cached in the scope
        assert events == ["open"]
    # The teardown and the task need the loop: the scope's end is a trip.
    assert events == ["open", "sync close", "close", "task"]
    assert trips == ["sync.FastAPIContainer.invoke"] * 2 + [
        "sync.FastAPIContainer.scope"
    ]
    container.close()


def test_an_error_in_the_block_still_ends_the_scope(trips: list[str]) -> None:
    events: list[str] = []

    async def session() -> AsyncIterator[str]:
        try:
            yield "s"
        finally:  # the block's ValueError is thrown in here
            events.append("close")

    container = sync.FastAPIContainer(default_scope=DependencyScope.SCOPED)
    with pytest.raises(ValueError, match="boom"):
        with container.scope() as scope:
            assert scope.get(session) == "s"
            raise ValueError("boom")
    assert events == ["close"]
    assert trips == ["sync.FastAPIContainer.get", "sync.FastAPIContainer.scope"]
    with pytest.raises(ScopeError, match="closed"):
        scope.get(session)
    container.close()


def test_a_closed_container_refuses_a_scope_on_entry(trips: list[str]) -> None:
    container = sync.FastAPIContainer(default_scope=DependencyScope.SCOPED)
    container.close()
    trips.clear()
    with pytest.raises(ScopeError, match="container is closed"):
        with container.scope():
            pytest.fail("entered a scope of a closed container")
    assert trips == []
