"""The container vocabulary (``fastapi-standalone-di``) of the async API.

A :class:`FastAPIContainer` keeps resolved dependencies alive across calls:
``DependencyScope.CONTAINER`` ones until :meth:`FastAPIContainer.aclose`,
``DependencyScope.SCOPED`` ones until the :meth:`FastAPIContainer.scope`
block ends. Each resolution is still FastAPI's (same cache key, same
``use_cache=False`` rebuilds, same validation); only the cache outlives it.

``container`` holds the public classes (and :func:`start_lifespan`, which
``FastApiDepsStack`` builds on); ``options`` its constructor arguments,
checked once; ``scopes`` which :class:`DependencyScope` each dependency
gets; ``layout`` where each dependency of a plan lives, worked out once
per plan; ``levels`` what a container keeps per event loop and per level
(cache, teardown, background tasks); ``resolution`` one call resolved at
those levels; ``resolved`` what a call hands back.
"""

from collections.abc import Callable
from typing import Any

from .app_container import container_lifespan, get_container
from .container import ContainerScope, FastAPIContainer, start_lifespan
from .dependant_cache import DependantCache
from .resolved import ResolvedDependencies, dependency_key
from .scopes import DependencyScope

#: fastapi-standalone-di's name for an open ``container.scope()``.
ResolutionScope = ContainerScope
#: The shape of ``dependency_overrides``: dependency -> replacement.
DependencyOverrides = dict[Callable[..., Any], Callable[..., Any]]

__all__ = [
    "ContainerScope",
    "DependantCache",
    "DependencyOverrides",
    "DependencyScope",
    "FastAPIContainer",
    "ResolutionScope",
    "ResolvedDependencies",
    "container_lifespan",
    "dependency_key",
    "get_container",
    "start_lifespan",
]
