"""The Celery app the worker tests run: shared deps, a lifespan, counters in SQLite.

Imported by the tests (eager mode) and by the real worker subprocess
(``celery -A fe_celery_tasks worker``). Every event a worker process sees
(lifespan start/stop, teardown, rollback) is a row in ``$FE_CELERY_DB`` so the
test can count them after the worker exited.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from celery import Celery
from fastapi import Depends, FastAPI, Header, Request

from fastapi_everywhere.celery import (
    FastAPIDependsTask,
    aresolve,
    resolve,
    setup,
    with_fastapi_depends,
)

# The worker subprocess gets FE_CELERY_DB; in-process tests patch DB_PATH.
DB_PATH = os.environ.get("FE_CELERY_DB") or os.path.join(
    tempfile.mkdtemp(prefix="fe-celery-"), "events.db"
)


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def init_db() -> None:
    with _connect() as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS events (kind TEXT, pid INTEGER, detail TEXT)"
        )
        conn.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT, pid INTEGER)")
    conn.close()


def record(kind: str, detail: str = "") -> None:
    conn = _connect()
    with conn:
        conn.execute("INSERT INTO events VALUES (?, ?, ?)", (kind, os.getpid(), detail))
    conn.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    record("startup")
    yield {"started_in": os.getpid()}
    record("shutdown")


fastapi_app = FastAPI(lifespan=lifespan)


def get_db() -> Iterator[sqlite3.Connection]:
    """A transaction per task run: committed on success, rolled back on error."""
    conn = _connect()
    try:
        yield conn
    except BaseException as exc:
        conn.rollback()
        record("rollback", type(exc).__name__)
        raise
    else:
        conn.commit()
    finally:
        conn.close()
        record("teardown")


Db = Annotated[sqlite3.Connection, Depends(get_db)]


def started_in(request: Request) -> int:
    return int(request.state.started_in)


def tenant(x_tenant: Annotated[int, Header()]) -> int:
    return x_tenant


async def async_double(n: int = 0) -> int:
    return 2


broker = os.environ.get("FE_CELERY_BROKER", "memory://")
celery_app = Celery(
    "fe_celery_tasks",
    broker=broker,
    backend=os.environ.get("FE_CELERY_BACKEND", "cache+memory://"),
)
celery_app.conf.update(
    task_always_eager=os.environ.get("FE_CELERY_EAGER") == "1",
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)
setup(celery_app, fastapi_app)


@celery_app.task(bind=True)
@with_fastapi_depends
def add_note(
    self: Any, text: str, *, db: Db, lifespan_pid: Annotated[int, Depends(started_in)]
) -> dict[str, Any]:
    db.execute("INSERT INTO notes VALUES (?, ?)", (text, os.getpid()))
    same = resolve(Db) is db  # the run's cache: the same connection
    return {
        "pid": os.getpid(),
        "lifespan_pid": lifespan_pid,
        "task": self.name,
        "same": same,
    }


@celery_app.task
@with_fastapi_depends
def fail_note(text: str, *, db: Db) -> None:
    db.execute("INSERT INTO notes VALUES (?, ?)", (text, os.getpid()))
    raise ValueError(f"cannot store {text!r}")


@celery_app.task
@with_fastapi_depends
def whoami(*, tenant_id: Annotated[int, Depends(tenant)]) -> int:
    return tenant_id


@celery_app.task(bind=True, max_retries=3, default_retry_delay=0)
@with_fastapi_depends
def flaky_note(self: Any, text: str, *, db: Db) -> int:
    db.execute(
        "INSERT INTO notes VALUES (?, ?)",
        (f"{text}#{self.request.retries}", os.getpid()),
    )
    if self.request.retries < 1:
        raise self.retry(countdown=0)
    return int(self.request.retries)


@celery_app.task
@with_fastapi_depends
async def async_task(
    n: int, *, factor: Annotated[int, Depends(async_double)], db: Db
) -> int:
    return n * factor


@celery_app.task
@with_fastapi_depends
async def async_resolving_task(*, db: Db) -> dict[str, bool]:
    """``aresolve`` in an async task: the run's cache; ``resolve`` refuses."""
    try:
        resolve(Db)
    except RuntimeError as e:
        refused = "aresolve" in str(e)
    else:
        refused = False
    return {"same": await aresolve(Db) is db, "resolve_refused": refused}


@celery_app.task(base=FastAPIDependsTask)
def based_note(text: str, *, db: Db) -> str:
    db.execute("INSERT INTO notes VALUES (?, ?)", (text, os.getpid()))
    return text.upper()
