"""The FastAPI app the server tests run example_django with.

The demo's lifespan and deps, plus counters every worker process appends to
one file (``EVENTS`` env): lifespan start-up/shutdown per pid, and each
``get_db`` set-up/teardown (an override of the shared dependency).
"""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from demo.app import lifespan as demo_lifespan
from demo.deps import Settings, get_db, get_settings
from fastapi import Depends, FastAPI


def record(event: str) -> None:
    fd = os.open(os.environ["EVENTS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{event} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    record("startup")
    async with demo_lifespan(app):
        yield
    record("shutdown")


def counted_db(
    settings: Annotated[Settings, Depends(get_settings)],
) -> Iterator[object]:
    record("db-open")
    try:
        yield from get_db(settings)
    finally:
        record("db-close")


app = FastAPI(lifespan=lifespan)
app.dependency_overrides[get_db] = counted_db
