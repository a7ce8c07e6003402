"""The dependencies every migration test app shares, and the FastAPI app's maker.

``pool_info`` reports what the gradual-migration guarantees are about: how
many times the lifespan started in this process, which pool a request got,
whether it ran on the loop that opened the pool, and how many loop threads
of the library's exist.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

#: One entry per lifespan start-up in this process.
STARTS: list[int] = []


class Pool:
    """Stands for an async connection pool: bound to the loop that opened it."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()

    async def fetch(self) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {
            "pool": id(self),
            "on_pool_loop": asyncio.get_running_loop() is self.loop,
        }


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    STARTS.append(os.getpid())
    print(f"lifespan-start {os.getpid()}", flush=True)
    yield {"pool": Pool()}
    print(f"lifespan-stop {os.getpid()}", flush=True)


async def get_pool(request: Request) -> Pool:
    pool: Pool = request.state.pool
    return pool


async def pool_info(pool: Annotated[Pool, Depends(get_pool)]) -> dict[str, Any]:
    loop_threads = [
        t.name for t in threading.enumerate() if t.name == "fastapi-everywhere-loop"
    ]
    return await pool.fetch() | {
        "starts": len(STARTS),
        "pid": os.getpid(),
        "loop_threads": len(loop_threads),
    }


Info = Annotated[dict[str, Any], Depends(pool_info)]


def make_api(route: str) -> FastAPI:
    """A FastAPI app with the lifespan and one route reading ``pool_info``."""
    api = FastAPI(lifespan=lifespan)

    @api.get(route)
    async def fastapi_info(info: Info) -> dict[str, Any]:
        return info

    return api
