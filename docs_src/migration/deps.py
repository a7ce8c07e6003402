"""The service layer, written once as FastAPI dependencies; no Flask or Django here."""

# No `from __future__ import annotations`: FastAPI 0.115 cannot read the string
# annotations of a class dependency's __init__ (NotesRepo).
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from pydantic import BaseModel

STARTUPS: list[str] = []


class Note(BaseModel):
    id: int
    owner: str
    text: str


class NoteIn(BaseModel):
    text: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    STARTUPS.append(app.title)
    yield {"notes": [], "hits": Counter()}  # stands in for a connection pool


class NotesRepo:
    def __init__(self, request: Request) -> None:
        self.notes: list[Note] = request.state.notes

    def add(self, owner: str, text: str) -> Note:
        note = Note(id=len(self.notes) + 1, owner=owner, text=text)
        self.notes.append(note)
        return note

    def list_for(self, owner: str) -> list[Note]:
        return [n for n in self.notes if n.owner == owner]


async def current_user(
    request: Request, x_user: Annotated[str, Header(min_length=1)]
) -> str:
    """The caller (a header stands in for real authentication)."""
    request.state.hits[request.url.path] += 1
    return x_user


def get_note(
    note_id: int,
    repo: Annotated[NotesRepo, Depends()],
    user: Annotated[str, Depends(current_user)],
) -> Note:
    for note in repo.list_for(user):
        if note.id == note_id:
            return note
    raise HTTPException(status_code=404, detail="note not found")


Repo = Annotated[NotesRepo, Depends()]
User = Annotated[str, Depends(current_user)]
