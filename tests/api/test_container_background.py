"""Background tasks added under a container run when their scope closes."""

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import pytest
from fastapi import BackgroundTasks, Depends, FastAPI

from fastapi_everywhere import DependencyScope, FastAPIContainer
from fastapi_everywhere import sync as fe_sync


def recorder() -> tuple[list[str], object, object, object]:
    """Dependencies that record teardown and background tasks in one list."""
    events: list[str] = []

    def session() -> Iterator[str]:
        yield "s"
        events.append("session closed")

    def adds_task(
        background_tasks: BackgroundTasks, s: Annotated[str, Depends(session)]
    ) -> str:
        background_tasks.add_task(events.append, "bg 1")
        background_tasks.add_task(events.append, "bg 2")
        return "x"

    def target(
        background_tasks: BackgroundTasks, x: Annotated[str, Depends(adds_task)]
    ) -> str:
        background_tasks.add_task(events.append, "target bg")
        events.append("target")
        return x

    return events, session, adds_task, target


async def test_the_documented_invoke_example() -> None:
    ran: list[str] = []

    def dep(background_tasks: BackgroundTasks) -> str:
        background_tasks.add_task(ran.append, "bg")
        return "x"

    async with FastAPIContainer() as c:
        assert await c.invoke(dep) == "x"
        assert ran == ["bg"]  # when the call's own resolution ended
    assert ran == ["bg"]  # once


async def test_invoke_outside_a_scope_runs_them_after_the_calls_teardown() -> None:
    events, session, adds_task, target = recorder()
    async with FastAPIContainer(default_scope=DependencyScope.SCOPED) as c:
        assert await c.invoke(target) == "x"
        assert events == ["target", "session closed", "bg 1", "bg 2", "target bg"]


async def test_inside_a_scope_they_run_when_the_scope_closes() -> None:
    events, session, adds_task, target = recorder()
    async with FastAPIContainer(default_scope=DependencyScope.SCOPED) as c:
        async with c.scope() as scope:
            await scope.invoke(target)
            await scope.invoke(target)  # the cached adds_task adds nothing more
            assert events == ["target", "target"]
        assert events == [
            "target",
            "target",
            "session closed",
            "bg 1",
            "bg 2",
            "target bg",
            "target bg",
        ]


async def test_container_scoped_tasks_run_at_aclose_before_the_lifespan_ends() -> None:
    events, session, adds_task, target = recorder()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        events.append("lifespan down")

    from fastapi_everywhere import FastApiDepsStack

    async with FastApiDepsStack(app=FastAPI(lifespan=lifespan)) as stack:
        assert await stack.resolve(adds_task) == "x"
        assert events == []
    assert events == ["session closed", "bg 1", "bg 2", "lifespan down"]

    events.clear()
    c = FastAPIContainer()  # default scope: CONTAINER
    assert await c.get(adds_task) == "x"
    assert await c.get(adds_task) == "x"  # cached: no second set of tasks
    assert events == []
    await c.aclose()
    assert events == ["session closed", "bg 1", "bg 2"]


async def test_a_failing_task_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []

    def session() -> Iterator[str]:
        yield "s"
        events.append("session closed")

    def broken() -> None:
        raise RuntimeError("task failed")

    def dep(
        background_tasks: BackgroundTasks, s: Annotated[str, Depends(session)]
    ) -> str:
        background_tasks.add_task(broken)
        background_tasks.add_task(events.append, "after")
        return s

    caplog.set_level(logging.ERROR, logger="fastapi_everywhere")
    async with FastAPIContainer(default_scope=DependencyScope.SCOPED) as c:
        assert await c.invoke(dep) == "s"
    assert events == ["session closed", "after"]
    [record] = [r for r in caplog.records if "background task" in r.getMessage()]
    assert "broken" in record.getMessage()
    assert record.exc_info is not None and "task failed" in str(record.exc_info[1])


def test_the_sync_container_runs_them_too() -> None:
    events, session, adds_task, target = recorder()
    with fe_sync.FastAPIContainer(default_scope=DependencyScope.SCOPED) as c:
        assert c.invoke(target) == "x"
        assert events == ["target", "session closed", "bg 1", "bg 2", "target bg"]
        events.clear()
        with c.scope() as scope:
            scope.invoke(target)
            assert events == ["target"]
        assert events[-1] == "target bg"
    events.clear()
    c2 = fe_sync.FastAPIContainer()
    assert c2.get(adds_task) == "x"
    c2.close()
    assert events == ["session closed", "bg 1", "bg 2"]
