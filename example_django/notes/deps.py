"""A Django-side FastAPI dependency: the activity log, written through the ORM.

It is a plain sync dependency, so it runs on the request's thread (in an
``async def`` view, on the request's sync thread, as
``sync_to_async(thread_sensitive=True)`` would): its ORM write uses the same
connection as the view and belongs to the view's ``ATOMIC_REQUESTS``
transaction, so it is rolled back with the view's own writes.
"""

from typing import Annotated

from demo.deps import CurrentUser
from fastapi import Depends, Request

from .models import Activity


def log_activity(request: Request, user: CurrentUser) -> Activity:
    """Record who did what (``GET /notes/``) and return the log entry."""
    return Activity.objects.create(
        user=user.name, action=f"{request.method} {request.url.path}"
    )


Logged = Annotated[Activity, Depends(log_activity)]
