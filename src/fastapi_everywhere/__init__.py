"""FastAPI's dependency injection everywhere: scripts, workers, tests, Django, Flask.

This module is the async API; ``fastapi_everywhere.sync`` is its sync twin.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._app_state import AppState, get_app_state, set_app_state_value
from ._bindings import Binding, register_bindings
from ._callables import is_async_gen_callable, is_coroutine_callable, is_gen_callable
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
    DependantCache,
    DependencyOverrides,
    DependencyScope,
    FastAPIContainer,
    ResolutionScope,
    ResolvedDependencies,
    container_lifespan,
    get_container,
)
from ._decorators import (
    aiter_with_fastapi_depends,
    resolve_fastapi_depends,
    runnify_with_fastapi_depends,
    with_fastapi_depends,
    with_fastapi_lifecycle,
)
from ._discovery import ConflictSolver, auto_bindings
from ._errors import (
    AutoBindingError,
    CyclicDependencyError,
    FastAPIEverywhereError,
    LifespanError,
    LoopThreadError,
    MissingParameterError,
    NoContainerError,
    NotConfiguredError,
    NotRegisteredError,
    ParameterError,
    ParameterValidationError,
    ScopeError,
)
from ._injected import INJECTED, with_scope
from ._loop_safe import is_loop_safe, loop_safe
from ._provides import provides
from ._registrable import RegistrableDependency
from ._registrable_patch import patch_for_registrable_dependency_support
from ._scope import ParamSource
from ._singleton import singleton
from ._stack import FastApiDepsStack

try:
    __version__ = version("fastapi-everywhere")
except PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = "0+unknown"

__all__ = [
    "INJECTED",
    "AppState",
    "AutoBindingError",
    "Binding",
    "ConflictSolver",
    "ContainerScope",
    "CyclicDependencyError",
    "DependantCache",
    "DependencyOverrides",
    "DependencyScope",
    "FastAPIContainer",
    "FastAPIEverywhereError",
    "FastApiDepsStack",
    "LifespanError",
    "LoopThreadError",
    "MissingParameterError",
    "NoContainerError",
    "NotConfiguredError",
    "NotRegisteredError",
    "ParamSource",
    "ParameterError",
    "ParameterValidationError",
    "RegistrableDependency",
    "ResolutionScope",
    "ResolvedDependencies",
    "ScopeError",
    "__version__",
    "aiter_with_fastapi_depends",
    "auto_bindings",
    "check_routes_and_dependencies_are_async",
    "configure",
    "container_lifespan",
    "get_app",
    "get_app_state",
    "get_container",
    "get_context_factory",
    "is_async_gen_callable",
    "is_configured",
    "is_coroutine_callable",
    "is_gen_callable",
    "is_loop_safe",
    "loop_safe",
    "patch_for_registrable_dependency_support",
    "provides",
    "register_bindings",
    "reset_config",
    "resolve_fastapi_depends",
    "runnify_with_fastapi_depends",
    "set_app_state_value",
    "singleton",
    "with_fastapi_depends",
    "with_fastapi_lifecycle",
    "with_scope",
]
