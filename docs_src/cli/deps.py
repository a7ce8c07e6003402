"""The dependencies the CLI examples share with a FastAPI route.

A lifespan that creates the SQLite table, and a ``yield`` dependency handing
each command one connection: committed when the command succeeds, rolled
back when it fails. ``EVENTS`` shows the order things happened in.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

EVENTS: list[str] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    path = os.environ.get("NOTES_DB", "notes.db")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
    conn.close()
    EVENTS.append("startup")
    yield {"db_path": path}
    EVENTS.append("shutdown")


app = FastAPI(lifespan=lifespan)


def get_db(request: Request) -> Iterator[sqlite3.Connection]:
    # check_same_thread=False: an async command uses it on the loop thread.
    conn = sqlite3.connect(request.state.db_path, check_same_thread=False)
    try:
        yield conn
        conn.commit()
        EVENTS.append("commit")
    except BaseException:
        conn.rollback()
        EVENTS.append("rollback")
        raise
    finally:
        conn.close()


Db = Annotated[sqlite3.Connection, Depends(get_db)]


@app.post("/notes")
def add_note(text: str, db: Db) -> dict[str, str]:
    """The same dependency in a FastAPI route."""
    db.execute("INSERT INTO notes VALUES (?)", (text,))
    return {"text": text}
