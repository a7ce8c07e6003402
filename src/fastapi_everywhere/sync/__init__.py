"""The sync API: FastAPI dependencies from plain sync code.

Every name is the sync twin of the same name in ``fastapi_everywhere`` and
returns plain sync callables (sync or async functions accepted). Sync
dependencies run on the calling thread (thread-sensitive, as Django's ORM
needs); async work runs on one shared, fork-safe event-loop thread per
process (:mod:`fastapi_everywhere._bridge.loop`), never started by a call whose
dependencies are all sync. Calling the sync API on that loop thread raises
:class:`~fastapi_everywhere.LoopThreadError` instead of deadlocking.
"""

from __future__ import annotations

from .._bridge.loop import LoopTimeoutError
from .._errors import LoopThreadError
from .._injected import INJECTED, with_scope
from ._container import ContainerScope, FastAPIContainer
from ._stack import FastApiDepsStack
from .runners import (
    iter_with_fastapi_depends,
    resolve_fastapi_depends,
    runnify_with_fastapi_depends,
    with_fastapi_depends,
    with_fastapi_lifecycle,
)

__all__ = [
    "INJECTED",
    "ContainerScope",
    "FastAPIContainer",
    "FastApiDepsStack",
    "LoopThreadError",
    "LoopTimeoutError",
    "iter_with_fastapi_depends",
    "resolve_fastapi_depends",
    "runnify_with_fastapi_depends",
    "with_fastapi_depends",
    "with_fastapi_lifecycle",
    "with_scope",
]
