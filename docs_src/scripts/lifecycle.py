import asyncio
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import configure, with_fastapi_depends, with_fastapi_lifecycle


@asynccontextmanager
async def lifespan(app: FastAPI):
    print("startup")
    yield {"pool": "the pool"}  # the lifespan state: request.state in dependencies
    print("shutdown")


app = FastAPI(lifespan=lifespan)
configure(app=app)


def get_pool(request: Request) -> str:
    return request.state.pool


@with_fastapi_depends
async def sync_orders(*, pool: Annotated[str, Depends(get_pool)]) -> None:
    print(f"syncing with {pool}")


@with_fastapi_lifecycle
async def main() -> None:
    await sync_orders()
    await sync_orders()


if __name__ == "__main__":
    asyncio.run(main())  # startup, syncing with the pool (twice), shutdown
