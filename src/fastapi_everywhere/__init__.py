"""FastAPI's dependency injection everywhere: scripts, workers, tests, Django, Flask.

This module is the async API; ``fastapi_everywhere.sync`` is its sync twin.
"""

from __future__ import annotations

from ._config import configure, get_app, reset_config
from ._decorators import (
    aiter_with_fastapi_depends,
    resolve_fastapi_depends,
    runnify_with_fastapi_depends,
    with_fastapi_depends,
    with_fastapi_lifecycle,
)
from ._errors import (
    FastAPIEverywhereError,
    LifespanError,
    LoopThreadError,
    MissingParameterError,
    NotConfiguredError,
    ScopeError,
)
from ._scope import ParamSource

__all__ = [
    "FastAPIEverywhereError",
    "LifespanError",
    "LoopThreadError",
    "MissingParameterError",
    "NotConfiguredError",
    "ParamSource",
    "ScopeError",
    "aiter_with_fastapi_depends",
    "configure",
    "get_app",
    "reset_config",
    "resolve_fastapi_depends",
    "runnify_with_fastapi_depends",
    "with_fastapi_depends",
    "with_fastapi_lifecycle",
]
