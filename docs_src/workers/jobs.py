from __future__ import annotations

from fastapi import BackgroundTasks

from docs_src.workers.deps import LOG, CurrentUser, Db, app
from fastapi_everywhere.sync import FastApiDepsStack, with_fastapi_depends


@with_fastapi_depends(app=app)
def import_note(text: str, *, db: Db, user: CurrentUser, tasks: BackgroundTasks) -> int:
    tasks.add_task(LOG.append, f"notify {user}")  # runs after the job returned
    return db.add(user, text)


def worker_process() -> FastApiDepsStack:
    """Call once when a worker process boots: the app's lifespan starts."""
    return FastApiDepsStack(app).start()
