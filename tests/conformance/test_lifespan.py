"""The app's lifespan state, as ``request.state`` shows it to dependencies."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

import asyncio
from contextlib import asynccontextmanager
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Request

import fastapi_everywhere

from ._harness import Recorder

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using `httpx` with `starlette.testclient`"
)


def make_app(rec: Recorder) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        rec("startup")
        yield {"pool": "pool-1", "counter": [0]}
        rec("shutdown")

    return FastAPI(lifespan=lifespan)


def make_target(rec: Recorder):
    def get_pool(request: Request) -> str:
        counter = request.state.counter
        counter[0] += 1  # the state is shallow-copied per request: shared objects
        request.state.per_request = "set by get_pool"
        return request.state.pool

    async def target(pool: Annotated[str, Depends(get_pool)], request: Request):
        rec("target", pool, request.state.per_request, request.state.counter[0])
        return pool

    return target


async def test_lifespan_state_reaches_dependencies(rec: Recorder) -> None:
    app = make_app(rec)
    target = make_target(rec)
    app.get("/")(target)

    from fastapi.testclient import TestClient  # runs the lifespan, like a server

    def through_fastapi() -> list:
        with TestClient(app) as client:
            results = [client.get("/").json() for _ in range(2)]
        return results

    fastapi_results = await asyncio.to_thread(through_fastapi)
    fastapi_log = list(rec.log)

    rec.reset()
    call = fastapi_everywhere.with_fastapi_depends(target, app=app)

    async def main() -> list:
        return [await call(), await call()]

    engine_results = await fastapi_everywhere.with_fastapi_lifecycle(main, app=app)()
    assert engine_results == fastapi_results == ["pool-1", "pool-1"]
    assert (
        rec.log
        == fastapi_log
        == [
            ("startup",),
            ("target", "pool-1", "set by get_pool", 1),
            ("target", "pool-1", "set by get_pool", 2),
            ("shutdown",),
        ]
    )
