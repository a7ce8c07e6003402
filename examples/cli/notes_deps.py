"""The dependencies both CLI examples share (the same ones a FastAPI route would use).

A lifespan owning the database path, a ``yield`` dependency handing out one
SQLite connection per command (committed on success, rolled back on error),
and a ``Header``-free settings dependency reading ``request.state``.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    path = os.environ.get("NOTES_DB", "notes.db")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
    print("lifespan: startup", file=sys.stderr)
    yield {"db_path": path}
    print("lifespan: shutdown", file=sys.stderr)


app = FastAPI(lifespan=lifespan)


def get_db(request: Request) -> Iterator[sqlite3.Connection]:
    # An async command uses it on the loop thread: one user at a time, so safe.
    conn = sqlite3.connect(request.state.db_path, check_same_thread=False)
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        print("db: rollback", file=sys.stderr)
        raise
    finally:
        conn.close()
        print("db: closed", file=sys.stderr)


Db = Annotated[sqlite3.Connection, Depends(get_db)]


@app.post("/notes")
def add_note_route(text: str, db: Db) -> dict[str, str]:
    """The same dependency, on a FastAPI route."""
    db.execute("INSERT INTO notes VALUES (?)", (text,))
    return {"text": text}
