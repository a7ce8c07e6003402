"""Which container is resolving right now (read by ``get_container``).

Set around each container call in the container's owner task, where its
dependencies run, so ``Depends(get_container)`` needs nothing registered.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

__all__ = ["ACTIVE_CONTAINER"]

#: The container whose call is running in this task, or None.
ACTIVE_CONTAINER: ContextVar[Any] = ContextVar(
    "fastapi_everywhere_active_container", default=None
)
