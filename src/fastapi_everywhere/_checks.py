"""``check_routes_and_dependencies_are_async``: find sync code in an app.

FastAPI runs sync endpoints and dependencies in worker threads, where
context variables set in them do not flow back to the request. Apps that
rely on context propagation (request-scoped logging, tracing) check at
start-up that every route and dependency is ``async``.
"""

from __future__ import annotations

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute

from ._engine import _compat
from ._engine.plan import describe
from ._errors import FastAPIEverywhereError


def _is_async(dependant: Dependant) -> bool:
    return _compat.call_kind(dependant) in (_compat.ASYNC, _compat.AGEN)


def _walk(dependant: Dependant, where: str, found: list[str], seen: set[int]) -> None:
    for sub in dependant.dependencies:
        call = sub.call
        if call is None:
            continue
        if not _is_async(sub) and id(call) not in seen:
            seen.add(id(call))
            found.append(f"dependency {describe(call)} (used by {where})")
        _walk(sub, where, found, seen)


def check_routes_and_dependencies_are_async(
    app: Any, *, raise_error: bool = True
) -> list[str]:
    """List the sync endpoints and dependencies of ``app``'s routes.

    Returns one readable line per sync callable. With ``raise_error`` (the
    default) a non-empty list raises :class:`FastAPIEverywhereError` listing
    them all, so it can guard start-up.
    """
    found: list[str] = []
    seen: set[int] = set()
    for route in getattr(app, "routes", []):
        if not isinstance(route, (APIRoute, APIWebSocketRoute)):
            continue
        label = f"{', '.join(sorted(getattr(route, 'methods', None) or ['WS']))} {route.path}"
        if not _is_async(route.dependant):
            found.append(f"endpoint {describe(route.endpoint)} ({label})")
        _walk(route.dependant, label, found, seen)
    if found and raise_error:
        lines = "\n  ".join(found)
        raise FastAPIEverywhereError(
            f"check_routes_and_dependencies_are_async: {len(found)} sync "
            f"callable(s) would run in worker threads:\n  {lines}"
        )
    return found
