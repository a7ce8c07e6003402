"""The FastAPI app: the endpoints moved so far, with the legacy apps mounted under it.

Served by uvicorn (``uvicorn examples.migration.api:api``). The FastAPI app's
lifespan runs once, on uvicorn's loop; the Flask routes and Django views run
their dependencies against the same state, and ``/openapi.json`` documents
all three sides.
"""

from __future__ import annotations

from fastapi import FastAPI

from fastapi_everywhere.django import mount as mount_django
from fastapi_everywhere.flask import mount as mount_flask

from .deps import MOVED, Note, Repo, User, lifespan

api = FastAPI(title="Notes", lifespan=lifespan)


if MOVED:
    # Moved from Flask: the same URL, the same signature, now FastAPI's.
    @api.get("/flask/notes", tags=["notes"])
    def list_notes(repo: Repo, user: User) -> list[Note]:
        """The caller's notes."""
        return repo.list_for(user)

    # Moved from Django.
    @api.get("/django/mine", tags=["notes"])
    def mine(repo: Repo, user: User) -> list[Note]:
        """The caller's notes."""
        return repo.list_for(user)


from django.core.asgi import get_asgi_application  # noqa: E402

from . import legacy_django, legacy_flask  # noqa: E402

mount_flask(api, "/flask", legacy_flask.flask_app)
mount_django(api, "/django", get_asgi_application())
assert legacy_django  # its import configured Django and its URLs
