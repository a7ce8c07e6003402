"""The service layer, written once as FastAPI dependencies, used by every side.

The lifespan creates the SQLite schema and an in-process counter of requests;
every side (FastAPI routes, Flask routes, Django views) gets the same
counter, because the lifespan runs once, on the server's loop.
"""

# No `from __future__ import annotations` here: FastAPI before 0.116 cannot
# resolve a class dependency's string annotations (NotesRepo.__init__).
import collections
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from pydantic import BaseModel

#: Whether the endpoints moved so far are served by FastAPI (the default) or
#: still by their legacy app: the OpenAPI document must be the same.
MOVED = os.environ.get("MIGRATION_MOVED", "1") == "1"

DB_PATH = os.environ.get(
    "MIGRATION_EXAMPLE_DB", os.path.join(tempfile.gettempdir(), "migration-example.db")
)


class Note(BaseModel):
    id: int
    owner: str
    text: str


class NoteIn(BaseModel):
    text: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    with sqlite3.connect(DB_PATH) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS notes "
            "(id INTEGER PRIMARY KEY, owner TEXT NOT NULL, text TEXT NOT NULL)"
        )
    yield {"hits": collections.Counter()}


def get_db() -> Iterator[sqlite3.Connection]:
    """One connection per request, committed if the request succeeds."""
    db = sqlite3.connect(DB_PATH)
    try:
        yield db
        db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


class NotesRepo:
    def __init__(self, db: Annotated[sqlite3.Connection, Depends(get_db)]) -> None:
        self.db = db

    def add(self, owner: str, text: str) -> Note:
        cursor = self.db.execute(
            "INSERT INTO notes (owner, text) VALUES (?, ?)", (owner, text)
        )
        return Note(id=cursor.lastrowid or 0, owner=owner, text=text)

    def get(self, note_id: int) -> Note | None:
        row = self.db.execute(
            "SELECT id, owner, text FROM notes WHERE id = ?", (note_id,)
        ).fetchone()
        return None if row is None else Note(id=row[0], owner=row[1], text=row[2])

    def list_for(self, owner: str) -> list[Note]:
        rows = self.db.execute(
            "SELECT id, owner, text FROM notes WHERE owner = ? ORDER BY id", (owner,)
        ).fetchall()
        return [Note(id=r[0], owner=r[1], text=r[2]) for r in rows]


async def current_user(
    request: Request, x_user: Annotated[str, Header(min_length=1)]
) -> str:
    """The caller (a header stands in for real authentication); counts the hit."""
    request.state.hits[request.url.path] += 1
    return x_user


def get_note(
    note_id: int,
    repo: Annotated[NotesRepo, Depends()],
    user: Annotated[str, Depends(current_user)],
) -> Note:
    note = repo.get(note_id)
    if note is None or note.owner != user:
        raise HTTPException(status_code=404, detail="note not found")
    return note


async def hits(request: Request) -> dict[str, int]:
    return dict(request.state.hits)


Repo = Annotated[NotesRepo, Depends()]
User = Annotated[str, Depends(current_user)]
Hits = Annotated[dict[str, int], Depends(hits)]
