"""A FastAPI app's own container: ``container_lifespan`` and ``get_container``.

``container_lifespan`` gives an app one :class:`FastAPIContainer` for its
lifetime, stored in ``app.state.container`` and closed at shutdown (so lazy
singletons' teardown runs then). ``get_container`` is the dependency that
finds it: the container resolving the call, else the app's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends

from .._app_state import AppState, get_app_state
from .._errors import NoContainerError
from .._loop_safe import loop_safe
from .active import ACTIVE_CONTAINER
from .container import FastAPIContainer

__all__ = ["CONTAINER_KEY", "container_lifespan", "find_container", "get_container"]

#: Where the app's container lives in its state.
CONTAINER_KEY = "container"


def find_container(app_state: AppState) -> FastAPIContainer | None:
    """The container resolving this call, else the one stored in ``app_state``."""
    active = ACTIVE_CONTAINER.get()
    if active is not None:
        return active  # type: ignore[no-any-return]
    found = app_state.get(CONTAINER_KEY)
    return found if isinstance(found, FastAPIContainer) else None


@loop_safe
def get_container(app_state: AppState = Depends(get_app_state)) -> FastAPIContainer:
    """Dependency: the current :class:`FastAPIContainer`.

    Resolved through a container, that container; inside a FastAPI request,
    the app's (``app.state.container``, which :func:`container_lifespan`
    installs). :class:`NoContainerError` (a ``RuntimeError``) when there is
    none.

    .. versionadded:: 0.2
    """
    found = find_container(app_state)
    if found is None:
        raise NoContainerError(
            "get_container: No FastAPIContainer registered (none is resolving "
            "this call, and app.state has none); run the app with "
            "FastAPI(lifespan=container_lifespan), or set "
            "app.state.container = FastAPIContainer(...) at start-up"
        )
    return found


@asynccontextmanager
async def container_lifespan(app: Any) -> AsyncIterator[None]:
    """A lifespan that gives ``app`` a container for its whole life.

    Use it as ``FastAPI(lifespan=container_lifespan)`` or inside your own
    lifespan (``async with container_lifespan(app): ...``). The container is
    ``app.state.container``, backed by the app's state, and is closed at
    shutdown. It yields no lifespan state.

    .. versionadded:: 0.2
    """
    container = FastAPIContainer(app=app, app_state=AppState.from_app(app))
    app.state.container = container
    try:
        yield
    finally:
        try:
            await container.aclose()
        finally:
            if getattr(app.state, CONTAINER_KEY, None) is container:
                del app.state.container
