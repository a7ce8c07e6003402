"""fastapi-depends-anywhere code with only the import changed."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI

from fastapi_everywhere import (
    FastApiDepsStack,
    sync,
    with_fastapi_depends,
    with_fastapi_lifecycle,
)

# was: from fastapi_depends_anywhere import FastApiDepsStack, with_fastapi_depends, ...
#      from fastapi_depends_anywhere import sync

log: list[str] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    log.append("startup")
    yield
    log.append("shutdown")


app = FastAPI(lifespan=lifespan)


def get_db() -> Iterator[str]:
    log.append("db opened")
    yield "db"
    log.append("db closed")


DbDep = Annotated[str, Depends(get_db)]


@with_fastapi_depends(app=app)
async def count_users(*, db: DbDep) -> str:
    return f"users from {db}"


@with_fastapi_lifecycle(app=app)
async def main() -> str:
    return await count_users()


@sync.with_fastapi_depends(app=app)
def count_orders(*, db: DbDep) -> str:
    return f"orders from {db}"


async def notebook() -> str:
    async with FastApiDepsStack(app) as stack:
        db = await stack.resolve(DbDep)
        log.append(f"resolved {db}")
    return db


if __name__ == "__main__":
    print(asyncio.run(main()))  # users from db
    print(count_orders())  # orders from db
    print(asyncio.run(notebook()))  # db
    print(log)
