from __future__ import annotations

from fastapi import BackgroundTasks, Request

from docs_src.workers.deps import LOG, CurrentUser, app
from fastapi_everywhere import with_fastapi_depends, with_scope


@with_fastapi_depends(app=app)
async def audit(event: str, *, user: CurrentUser) -> None:
    LOG.append(f"audit {event} by {user}")


@app.post("/orders")
async def create_order(request: Request, tasks: BackgroundTasks) -> dict[str, str]:
    # The task resolves its own dependencies from this request's headers.
    tasks.add_task(with_scope(audit, request.scope), "order-created")
    return {"status": "created"}
