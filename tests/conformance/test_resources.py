"""Async ``yield`` dependencies owning cancel scopes tear down cleanly.

An ``httpx.AsyncClient`` and an anyio task group both enter cancel scopes,
which must be exited in the task that entered them (FastAPI >= 0.162.7 makes
sure of it); a wrong task shows up as "exit cancel scope in a different task".
"""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

import anyio
import httpx
import pytest
from fastapi import Depends

from ._harness import HAS_DEPENDS_SCOPE, Boom, Recorder, conforms, exc_name


def make_client_dep(rec: Recorder):
    async def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"path": request.url.path})

    async def client_dep():
        client = httpx.AsyncClient(
            transport=httpx.MockTransport(upstream), base_url="http://upstream"
        )
        try:
            async with client:
                rec("client", "open")
                try:
                    yield client
                except Exception as e:
                    rec("client", "error", exc_name(e))
                    raise
        finally:
            rec("client", "closed", client.is_closed)

    return client_dep


def make_task_group_dep(rec: Recorder):
    async def worker(started: anyio.Event) -> None:
        rec("worker", "started")
        started.set()
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            rec("worker", "cancelled")
            raise

    async def task_group_dep():
        try:
            async with anyio.create_task_group() as tg:
                started = anyio.Event()
                tg.start_soon(worker, started)
                await started.wait()
                try:
                    yield tg
                finally:
                    tg.cancel_scope.cancel()
        finally:
            rec("task group", "closed")

    return task_group_dep


@pytest.mark.parametrize("fail", [False, True])
async def test_async_client_dependency(rec: Recorder, fail: bool) -> None:
    client_dep = make_client_dep(rec)

    async def target(client: Annotated[httpx.AsyncClient, Depends(client_dep)]):
        response = await client.get("/items")
        rec("target", response.json())
        if fail:
            raise Boom("after upstream call")
        return response.json()

    out = await conforms(rec, target)
    tail = [("client", "error", "Boom")] if fail else []
    assert out.log == [
        ("client", "open"),
        ("target", {"path": "/items"}),
        *tail,
        ("client", "closed", True),
    ]


@pytest.mark.parametrize("fail", [False, True])
async def test_task_group_dependency(rec: Recorder, fail: bool) -> None:
    task_group_dep = make_task_group_dep(rec)
    client_dep = make_client_dep(rec)

    async def target(
        tg: Annotated[anyio.abc.TaskGroup, Depends(task_group_dep)],
        client: Annotated[httpx.AsyncClient, Depends(client_dep)],
    ):
        rec("target")
        if fail:
            raise Boom("target")
        return "ok"

    out = await conforms(rec, target)
    assert out.log[:3] == [("worker", "started"), ("client", "open"), ("target",)]
    assert out.log[-2:] == [("worker", "cancelled"), ("task group", "closed")]
    if fail:  # the task group wraps the error thrown into it, on both sides
        assert out.body == (
            "ExceptionGroup",
            "unhandled errors in a TaskGroup (1 sub-exception)",
        )
    else:
        assert out.body == "ok"


@pytest.mark.skipif(
    not HAS_DEPENDS_SCOPE, reason="this FastAPI has no Depends(scope=...)"
)
async def test_function_scoped_resources(rec: Recorder) -> None:
    task_group_dep = make_task_group_dep(rec)
    client_dep = make_client_dep(rec)

    async def target(
        tg: Annotated[anyio.abc.TaskGroup, Depends(task_group_dep, scope="function")],
        client: Annotated[httpx.AsyncClient, Depends(client_dep, scope="function")],
    ):
        rec("target")
        return "ok"

    out = await conforms(rec, target)
    assert out.log[-3:] == [
        ("client", "closed", True),
        ("worker", "cancelled"),
        ("task group", "closed"),
    ]


async def test_timeout_scope_in_dependency(rec: Recorder) -> None:
    async def with_deadline():
        with anyio.fail_after(5):
            yield "deadline"
        rec("deadline", "exited")

    async def target(d: Annotated[str, Depends(with_deadline)]):
        await anyio.sleep(0)
        return d

    out = await conforms(rec, target)
    assert out.body == "deadline"
    assert out.log == [("deadline", "exited")]
