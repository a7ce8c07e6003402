"""The Celery task both example projects run, on the demo's shared deps.

``make_celery_app("example_flask")`` returns a Celery app with the task
``<name>.add_note`` registered and the FastAPI app's lifespan set up per
worker process. Broker and result backend: ``CELERY_BROKER_URL`` /
``CELERY_RESULT_BACKEND`` (default: a local Redis).
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

from fastapi_everywhere.celery import setup, with_fastapi_depends

from .app import app as fastapi_app
from .deps import CurrentUser, Repo


def add_note(text: str, *, user: CurrentUser, repo: Repo) -> dict[str, Any]:
    """Add a note for the user of the request's bearer token."""
    note = repo.add(user, text)
    return {"id": note.id, "author": note.author, "text": note.text}


def make_celery_app(name: str) -> Celery:
    """A Celery app named ``name`` with ``add_note`` as ``<name>.add_note``."""
    celery_app = Celery(
        name,
        broker=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        backend=os.environ.get("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/1"),
    )
    setup(celery_app, fastapi_app)
    celery_app.task(name=f"{name}.add_note")(with_fastapi_depends(add_note))
    return celery_app
