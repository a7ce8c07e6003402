from typing import Annotated

from fastapi import BackgroundTasks, Body, HTTPException, Path, Response
from flask import Blueprint
from pydantic import BaseModel, Field

from fastapi_everywhere.flask import with_fastapi_depends

from .deps import CurrentUser, Page, Repo

bp = Blueprint("notes", __name__)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=200)


def notify(user: str, text: str) -> None:
    print(f"background: {user} added {text!r}")


@bp.get("")
@with_fastapi_depends  # under the route decorator
def list_notes(*, user: CurrentUser, repo: Repo, page: Page, response: Response):
    notes = repo.list_for(user)
    response.headers["X-Total-Count"] = str(len(notes))  # set on Flask's response
    return page.slice(notes)


@bp.post("")
@with_fastapi_depends
def create_note(
    *,
    note: Annotated[NoteIn, Body()],
    user: CurrentUser,
    repo: Repo,
    tasks: BackgroundTasks,
):
    repo.list_for(user).append(note.text)
    tasks.add_task(notify, user, note.text)  # after the response was sent
    return {"text": note.text}, 201


@bp.get("/<int:index>")
@with_fastapi_depends
def get_note(index: Annotated[int, Path(ge=1)], *, user: CurrentUser, repo: Repo):
    notes = repo.list_for(user)
    if index > len(notes):
        raise HTTPException(status_code=404, detail="Note not found")
    return {"index": index, "text": notes[index - 1]}
