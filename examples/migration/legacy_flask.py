"""The Flask app being migrated: ``GET /notes`` has moved to FastAPI (``api.py``).

The moved endpoint stays here behind ``MOVED`` so that the move can be
checked: the OpenAPI document is the same whichever side serves it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends
from flask import Flask

from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

from .deps import MOVED, Note, NoteIn, Repo, User, get_note

flask_app = Flask(__name__)
FastAPIDepends(flask_app, fastapi_app="examples.migration.api:api")


@flask_app.post("/notes")
@with_fastapi_depends(status_code=201, tags=["notes"])
def create_note(*, note: Annotated[NoteIn, Body()], repo: Repo, user: User) -> Note:
    """Write a note for the caller."""
    return repo.add(user, note.text)


@flask_app.get("/notes/<int:note_id>")
@with_fastapi_depends(tags=["notes"])
def read_note(note_id: int, *, note: Annotated[Note, Depends(get_note)]) -> Note:
    """Read one of the caller's notes."""
    return note


if not MOVED:

    @flask_app.get("/notes")
    @with_fastapi_depends(tags=["notes"])
    def list_notes(*, repo: Repo, user: User) -> list[Note]:
        """The caller's notes."""
        return repo.list_for(user)
