"""FastAPI's dependency injection everywhere: scripts, workers, tests, Django, Flask.

This module is the async API; ``fastapi_everywhere.sync`` is its sync twin.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._app_state import AppState, get_app_state, set_app_state_value
from ._checks import check_routes_and_dependencies_are_async
from ._config import (
    configure,
    get_app,
    get_context_factory,
    is_configured,
    reset_config,
)
from ._container import (
    ContainerScope,
    DependencyScope,
    FastAPIContainer,
    ResolvedDependencies,
)
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
    NotRegisteredError,
    ScopeError,
)
from ._injected import INJECTED, with_scope
from ._loop_safe import is_loop_safe, loop_safe
from ._registrable import RegistrableDependency
from ._scope import ParamSource
from ._stack import FastApiDepsStack

try:
    __version__ = version("fastapi-everywhere")
except PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = "0+unknown"

__all__ = [
    "INJECTED",
    "AppState",
    "ContainerScope",
    "DependencyScope",
    "FastAPIContainer",
    "FastAPIEverywhereError",
    "FastApiDepsStack",
    "LifespanError",
    "LoopThreadError",
    "MissingParameterError",
    "NotConfiguredError",
    "NotRegisteredError",
    "ParamSource",
    "RegistrableDependency",
    "ResolvedDependencies",
    "ScopeError",
    "aiter_with_fastapi_depends",
    "check_routes_and_dependencies_are_async",
    "configure",
    "get_app",
    "get_app_state",
    "get_context_factory",
    "is_configured",
    "is_loop_safe",
    "loop_safe",
    "reset_config",
    "resolve_fastapi_depends",
    "runnify_with_fastapi_depends",
    "set_app_state_value",
    "with_fastapi_depends",
    "with_fastapi_lifecycle",
    "with_scope",
]
