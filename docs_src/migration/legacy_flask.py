from typing import Annotated

from fastapi import Body, Depends, FastAPI
from flask import Blueprint, Flask

from docs_src.migration.deps import Note, NoteIn, Repo, User, get_note
from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

notes = Blueprint("notes", __name__)


@notes.post("/notes")
@with_fastapi_depends(status_code=201, tags=["notes"])
def create_note(*, note: Annotated[NoteIn, Body()], repo: Repo, user: User) -> Note:
    """Write a note for the caller."""
    return repo.add(user, note.text)


@notes.get("/notes/<int:note_id>")
@with_fastapi_depends(tags=["notes"])
def read_note(note_id: int, *, note: Annotated[Note, Depends(get_note)]) -> Note:
    """Read one of the caller's notes."""
    return note


def create_app(fastapi_app: FastAPI) -> Flask:
    flask_app = Flask(__name__)
    FastAPIDepends(flask_app, fastapi_app=fastapi_app)  # the app it serves
    flask_app.register_blueprint(notes)
    return flask_app
