"""The Django project being migrated: ``GET /mine`` has moved to FastAPI.

A whole (small) project in one module: settings, views and URLs. The moved
view stays here behind ``MOVED`` (see ``legacy_flask.py``).
"""

from __future__ import annotations

from typing import Annotated

import django
from django.conf import settings
from django.http import HttpRequest
from django.urls import path
from fastapi import Depends

from fastapi_everywhere.django import with_fastapi_depends

from .deps import MOVED, Hits, Note, Repo, User, get_note

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="migration-example",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["fastapi_everywhere.django"],
        MIDDLEWARE=["fastapi_everywhere.django.FastAPIDependsMiddleware"],
        ROOT_URLCONF=__name__,
        DATABASES={},
        FASTAPI_EVERYWHERE={"APP": "examples.migration.api:api"},
    )
    django.setup()


@with_fastapi_depends(tags=["stats"])
def stats(request: HttpRequest, *, hits: Hits) -> dict[str, int]:
    """Requests per path, from every side: one lifespan, one counter."""
    return hits


@with_fastapi_depends(tags=["notes"])
async def note_detail(
    request: HttpRequest, note_id: int, *, note: Annotated[Note, Depends(get_note)]
) -> Note:
    """One of the caller's notes (an async view)."""
    return note


urlpatterns = [
    path("stats", stats),
    path("notes/<int:note_id>", note_detail),
]

if not MOVED:

    @with_fastapi_depends(tags=["notes"])
    def mine(request: HttpRequest, *, repo: Repo, user: User) -> list[Note]:
        """The caller's notes."""
        return repo.list_for(user)

    urlpatterns.append(path("mine", mine))
