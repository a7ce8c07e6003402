"""``singleton``: eager (the body once per process) or lazy (once per container)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import FastAPIContainer, singleton

log: list[str] = []


class Settings:
    url = "sqlite://"


def get_settings() -> Settings:
    return Settings()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        log.append("database built")


@singleton(key="db")
def get_db(settings: Annotated[Settings, Depends(get_settings)]) -> Database:
    return Database(settings.url)


class Pool:
    def __init__(self) -> None:
        self.closed = False


@singleton(lazy=True)
async def get_pool() -> AsyncIterator[Pool]:
    pool = Pool()
    log.append("pool opened")
    yield pool
    pool.closed = True
    log.append("pool closed")


async def main() -> list[object]:
    seen: list[object] = []
    for _ in range(2):  # two containers, one after the other
        async with FastAPIContainer() as container:
            seen.append(await container.get(get_db))
            seen.append(await container.get(get_pool))
    return seen


if __name__ == "__main__":
    db1, pool1, db2, pool2 = asyncio.run(main())
    assert db1 is db2  # eager: one Database for the process
    assert pool1 is not pool2 and pool1.closed  # lazy: one per container
    print(log)
