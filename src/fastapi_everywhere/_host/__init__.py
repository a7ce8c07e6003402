"""The host seam: what a web-framework adapter is written against.

An adapter (Django, Flask) or worker integration (Celery) uses only these
names: :class:`RequestScope` (one host request as one FastAPI request),
:func:`error_response` / :func:`aerror_response` (FastAPI's error bodies),
:func:`failed_dependency` (which dependency a teardown error came from) and
:class:`ProcessLifespan` (the app's lifespan, once per process), with
:func:`share_lifespan` / :func:`served_lifespan` (the one a server runs),
:func:`with_lifespan_state` and :func:`sync_callers_loop` (a FastAPI app
served inside a WSGI app, on the loop our sync callers use).
"""

from .._bridge.lifespan import (
    ProcessLifespan,
    served_lifespan,
    share_lifespan,
    with_lifespan_state,
)
from .._bridge.loop import sync_callers_loop
from .errors import aerror_response, error_response, failed_dependency
from .request import RequestScope

__all__ = [
    "ProcessLifespan",
    "RequestScope",
    "aerror_response",
    "error_response",
    "failed_dependency",
    "served_lifespan",
    "share_lifespan",
    "sync_callers_loop",
    "with_lifespan_state",
]
