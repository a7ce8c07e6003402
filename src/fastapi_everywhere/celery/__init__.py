"""FastAPI dependencies in Celery tasks, with a FastAPI lifespan per worker process.

```python
from celery import Celery
from fastapi import Depends
from fastapi_everywhere.celery import setup, with_fastapi_depends

celery_app = Celery("proj")
setup(celery_app, fastapi_app)  # lifespan per worker process


@celery_app.task(bind=True)
@with_fastapi_depends
def charge(self, order_id: int, *, db=Depends(get_db)) -> None: ...
```

Every task run is one FastAPI request: one resolution cache, ``yield``
dependencies torn down after the task body with its exception thrown in (a
session rolls back when the task fails or retries), a fresh resolution on each
retry. Injected parameters are hidden from the task's signature, so Celery's
argument check (``typing``) sees only the task's own arguments.
"""

from __future__ import annotations

from ._integration import (
    FastAPIDependsTask,
    aresolve,
    resolve,
    setup,
    shutdown,
    with_fastapi_depends,
)

__all__ = [
    "FastAPIDependsTask",
    "aresolve",
    "resolve",
    "setup",
    "shutdown",
    "with_fastapi_depends",
]
