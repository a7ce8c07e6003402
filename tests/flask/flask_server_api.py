"""The FastAPI app the gunicorn test serves example_flask with.

It wraps the demo's lifespan and ``get_db`` (through ``dependency_overrides``,
so the override path is exercised too) to append one line per event to the
file named by ``FE_FLASK_SERVER_LOG``: ``startup <pid>``, ``shutdown <pid>``,
``teardown <pid>``. Appends of one short line are atomic across processes.
"""

import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from demo.app import lifespan as demo_lifespan
from demo.deps import Settings, get_db, get_settings
from fastapi import Depends, FastAPI


def note(event: str) -> None:
    with open(os.environ["FE_FLASK_SERVER_LOG"], "a") as f:
        f.write(f"{event} {os.getpid()}\n")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with demo_lifespan(app):
        note("startup")
        yield
        note("shutdown")


app = FastAPI(lifespan=lifespan)


def counted_db(
    settings: Annotated[Settings, Depends(get_settings)],
) -> Iterator[sqlite3.Connection]:
    try:
        yield from get_db(settings)  # forwards the view's exception too
    finally:
        note("teardown")


app.dependency_overrides[get_db] = counted_db
