"""A Celery task of example_django, on the same FastAPI dependencies as its views.

    celery -A example_django.tasks worker --loglevel=info      # from the repo root

Broker and result backend: ``CELERY_BROKER_URL`` / ``CELERY_RESULT_BACKEND``
(default: a local Redis). A caller hands the user's token over as the task's
request headers::

    add_note.delay("buy milk", _headers=bearer_headers("alice-token"))

Each run is one FastAPI request: the DB transaction of ``get_db`` commits when
the task succeeds and rolls back when it fails; the FastAPI app's lifespan
runs once per worker process.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from demo.app import app as fastapi_app
from demo.deps import CurrentUser, Repo

from fastapi_everywhere.celery import setup, with_fastapi_depends

celery_app = Celery(
    "example_django",
    broker=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
    backend=os.environ.get("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/1"),
)
setup(celery_app, fastapi_app)


@celery_app.task
@with_fastapi_depends
def add_note(text: str, *, user: CurrentUser, repo: Repo) -> dict[str, Any]:
    """Add a note for the user of the request's bearer token."""
    note = repo.add(user, text)
    return {"id": note.id, "author": note.author, "text": note.text}
