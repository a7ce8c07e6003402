"""The ``notes`` blueprint: sync, async and streamed routes over the shared deps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated, Any

from demo.deps import CurrentUser, Note, Pagination, Repo
from fastapi import BackgroundTasks, Body, Depends, Path, Response
from flask import Blueprint
from flask import Response as FlaskResponse
from pydantic import BaseModel

from fastapi_everywhere.flask import with_fastapi_depends

bp = Blueprint("notes", __name__, url_prefix="/notes")


class NoteIn(BaseModel):
    text: str


def _out(note: Note) -> dict[str, Any]:
    return {"id": note.id, "author": note.author, "text": note.text}


@bp.get("")
@with_fastapi_depends
def list_notes(*, user: CurrentUser, repo: Repo, page: Pagination) -> Any:
    """``GET /notes?offset=&limit=``: the caller's notes, one page."""
    return [_out(n) for n in page.slice(repo.list_for(user))]


@bp.post("")
@with_fastapi_depends
def create_note(
    *,
    body: Annotated[NoteIn, Body()],
    user: CurrentUser,
    repo: Repo,
    response: Response,
    tasks: BackgroundTasks,
) -> Any:
    """``POST /notes {"text": ...}``: 201, committed when the request ends."""
    note = repo.add(user, body.text)
    response.headers["Location"] = f"/notes/{note.id}"
    tasks.add_task(print, f"note {note.id} by {user.name} (after the response)")
    return _out(note), 201


@bp.get("/<int:note_id>")
@with_fastapi_depends
def get_note(
    *, note_id: Annotated[int, Path(ge=1)], user: CurrentUser, repo: Repo
) -> Any:
    """``GET /notes/<id>``: ``Path(ge=1)`` is validated as FastAPI validates it."""
    for note in repo.list_for(user):
        if note.id == note_id:
            return _out(note)
    return {"detail": "Not Found"}, 404


async def shout(user: CurrentUser) -> str:
    """An async dependency: it runs on the shared loop, next to the lifespan's."""
    await asyncio.sleep(0)
    return user.name.upper()


Loud = Annotated[str, Depends(shout)]


@bp.get("/me")
@with_fastapi_depends
async def me(*, user: CurrentUser, loud: Loud) -> Any:
    """An ``async def`` route: its body runs on the library's shared loop thread."""
    await asyncio.sleep(0)
    return {"name": user.name, "loud": loud}


@bp.get("/export")
@with_fastapi_depends
def export(*, user: CurrentUser, repo: Repo) -> FlaskResponse:
    """A streamed CSV: the request's connection stays open until the last line.

    No ``stream_with_context`` needed: the request's dependencies are torn
    down when the server closes the response, after the last chunk.
    """

    def lines() -> Iterator[str]:
        yield "id,text\n"
        for note in repo.list_for(user):  # queried while streaming
            yield f"{note.id},{note.text}\n"

    return FlaskResponse(lines(), mimetype="text/csv")
