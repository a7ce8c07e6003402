from __future__ import annotations

import os

from celery import Celery
from fastapi import Request

from docs_src.workers.deps import CurrentUser, Db
from docs_src.workers.deps import app as fastapi_app
from fastapi_everywhere.celery import setup, with_fastapi_depends

celery_app = Celery(
    "notes",
    broker=os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0"),
    backend=os.environ.get("CELERY_RESULT_BACKEND", "redis://localhost:6379/1"),
)
setup(celery_app, fastapi_app)  # the app's lifespan, once per worker process


@celery_app.task(bind=True, max_retries=3)
@with_fastapi_depends  # below @celery_app.task
def add_note(self, text: str, *, db: Db, user: CurrentUser) -> int:
    if not text:
        raise ValueError("empty note")  # the session rolls back
    return db.add(user, text)


@celery_app.task
@with_fastapi_depends
async def count_notes(*, request: Request) -> int:
    return len(request.state.notes)  # the lifespan's state, on its own loop
