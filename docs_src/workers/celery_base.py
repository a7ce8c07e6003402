from __future__ import annotations

from celery import Celery

from docs_src.workers.deps import CurrentUser, Db, get_session
from docs_src.workers.deps import app as fastapi_app
from fastapi_everywhere.celery import FastAPIDependsTask, aresolve, resolve, setup

celery_app = Celery("notes", broker="redis://localhost:6379/0")
setup(celery_app, fastapi_app)


@celery_app.task(base=FastAPIDependsTask)
def shout(text: str, *, db: Db, user: CurrentUser) -> str:
    assert resolve(get_session) is db  # the run's cache: the same session
    db.add(user, text.upper())
    return f"{user}: {text.upper()}"


@celery_app.task(base=FastAPIDependsTask)
async def whisper(text: str, *, user: CurrentUser) -> str:
    db = await aresolve(get_session)  # in an async def task: await aresolve
    db.add(user, text.lower())
    return f"{user}: {text.lower()}"
