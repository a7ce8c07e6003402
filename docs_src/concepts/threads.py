import asyncio
import threading
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request

import fastapi_everywhere
from fastapi_everywhere import sync


@asynccontextmanager
async def lifespan(app: FastAPI):
    # A pool made here belongs to the loop that runs the lifespan.
    yield {"pool_loop": asyncio.get_running_loop()}


app = FastAPI(lifespan=lifespan)


def sync_dep() -> str:
    return threading.current_thread().name


async def async_dep(request: Request) -> str:
    assert asyncio.get_running_loop() is request.state.pool_loop  # the pool's loop
    return threading.current_thread().name


def where(s: str = Depends(sync_dep), a: str = Depends(async_dep)) -> dict[str, str]:
    return {"target": threading.current_thread().name, "sync dep": s, "async dep": a}


@fastapi_everywhere.with_fastapi_lifecycle(app=app)
async def from_async_code() -> dict[str, str]:
    return await fastapi_everywhere.with_fastapi_depends(where, app=app)()


@sync.with_fastapi_lifecycle(app=app)
def from_sync_code() -> dict[str, str]:
    return sync.with_fastapi_depends(where, app=app)()


if __name__ == "__main__":
    print(asyncio.run(from_async_code()))
    # {'target': 'fastapi-everywhere-worker', 'sync dep': 'fastapi-everywhere-worker',
    #  'async dep': 'MainThread'}
    print(from_sync_code())
    # {'target': 'MainThread', 'sync dep': 'MainThread',
    #  'async dep': 'fastapi-everywhere-loop'}
