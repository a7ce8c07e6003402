"""``register_app``: configure the app once; its lifespan and overrides apply."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import INJECTED, configure, sync


class Pool:
    def __init__(self) -> None:
        self.closed = False


pools: list[Pool] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Pool]]:
    pool = Pool()
    pools.append(pool)
    yield {"pool": pool}  # dependencies read it as request.state.pool
    pool.closed = True


app = FastAPI(lifespan=lifespan)


def get_pool(request: Request) -> Pool:
    return request.state.pool


def get_greeting() -> str:
    return "hello"


@sync.runnify_with_fastapi_depends
def main(
    pool: Annotated[Pool, Depends(get_pool)] = INJECTED,
    greeting: Annotated[str, Depends(get_greeting)] = INJECTED,
) -> tuple[Pool, str]:
    # Runs inside the lifespan: started before the call, shut down after.
    assert not pool.closed
    return pool, greeting


def setup() -> None:
    # fastapi-injectable: run_coroutine_sync(register_app(app))
    configure(app=app)


if __name__ == "__main__":
    setup()
    print(main()[1])  # hello
    app.dependency_overrides[get_greeting] = lambda: "hi"
    print(main()[1])  # hi: no cache to clear first
