"""The FastAPI app of the demo: routes over the shared service layer."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

from .deps import CurrentUser, Repo, get_settings, init_db

log = logging.getLogger("demo")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    init_db(settings)
    log.info("lifespan: schema ready")
    yield
    log.info("lifespan: shutdown")


app = FastAPI(title="fastapi-everywhere demo", lifespan=lifespan)


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    id: int
    author: str
    text: str


@app.post("/notes", status_code=201)
def create_note(body: NoteIn, user: CurrentUser, repo: Repo) -> NoteOut:
    note = repo.add(user, body.text)
    return NoteOut(id=note.id, author=note.author, text=note.text)


@app.get("/notes")
def list_notes(user: CurrentUser, repo: Repo) -> list[NoteOut]:
    return [NoteOut(id=n.id, author=n.author, text=n.text) for n in repo.list_for(user)]
