"""No entry point drops the background tasks a dependency adds."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest
from celery import Celery
from fastapi import BackgroundTasks, Depends, FastAPI

import fastapi_everywhere as fe
from fastapi_everywhere import sync as fs
from fastapi_everywhere.celery import with_fastapi_depends as celery_depends

ran: list[str] = []


def dep(background_tasks: BackgroundTasks) -> str:
    background_tasks.add_task(ran.append, "bg")
    return "x"


D = Annotated[str, Depends(dep)]


@pytest.fixture(autouse=True)
def _clear() -> Iterator[None]:
    ran.clear()
    yield
    ran.clear()


def target(x: D) -> str:
    return x


async def test_async_entry_points() -> None:
    assert await fe.with_fastapi_depends(target)() == "x"
    assert ran == ["bg"]
    async with fe.resolve_fastapi_depends(target) as values:
        assert values == {"x": "x"}
    assert ran == ["bg"] * 2

    @fe.aiter_with_fastapi_depends
    async def items(x: D) -> AsyncIterator[str]:
        yield x
        yield x

    assert [i async for i in items()] == ["x", "x"]
    assert ran == ["bg"] * 3
    g = items()
    await g.__anext__()
    await g.aclose()  # closed early: the tasks still run
    assert ran == ["bg"] * 4
    async with fe.FastApiDepsStack(app=FastAPI()) as stack:
        assert await stack.resolve(D) == "x"
    assert ran == ["bg"] * 5


def test_sync_entry_points() -> None:
    assert fs.with_fastapi_depends(target)() == "x"
    assert ran == ["bg"]

    @fs.iter_with_fastapi_depends
    def items(x: D) -> Iterator[str]:
        yield x
        yield x

    assert list(items()) == ["x", "x"]
    g = items()
    next(g)
    g.close()
    assert ran == ["bg"] * 3
    with fs.resolve_fastapi_depends(target) as values:
        assert values == {"x": "x"}
    with fs.FastApiDepsStack(app=FastAPI()) as stack:
        assert stack.resolve(D) == "x"
    assert ran == ["bg"] * 5
    assert fs.runnify_with_fastapi_depends(target, app=FastAPI())() == "x"
    assert fe.runnify_with_fastapi_depends(target, app=FastAPI())() == "x"
    assert ran == ["bg"] * 7


def test_celery_task() -> None:
    local = Celery("background", broker="memory://")
    local.conf.task_always_eager = True

    @local.task
    @celery_depends
    def job(x: D) -> str:
        return x

    assert job.delay().get(timeout=10) == "x"
    assert ran == ["bg"]


def test_asyncio_run_of_a_decorated_coroutine() -> None:
    # A CLI entry point: asyncio.run(main()) with the async decorator.
    async def main(x: D) -> Any:
        return x

    assert asyncio.run(fe.with_fastapi_depends(main)()) == "x"
    assert ran == ["bg"]
