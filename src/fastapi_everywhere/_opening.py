"""Opening a FastAPI app's lifespan: its ``lifespan_context``, or its event handlers.

``app.router.lifespan_context(app)`` is exactly what Starlette runs at server
start-up. ``lifespan_context = None`` runs the router's ``on_startup`` /
``on_shutdown`` handlers as Starlette did; anything that does not give an
async context manager fails at once with a :class:`LifespanError` naming the
app. A server-side wrapper of ``lifespan_context`` (``_bridge.lifespan``)
keeps the app's own under :data:`ORIGINAL`, and opens it when
:func:`opening` says we are the ones running it.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from ._errors import LifespanError

__all__ = [
    "ORIGINAL",
    "OWN",
    "describe_app",
    "mark_opening",
    "open_lifespan",
    "opening",
]


def describe_app(app: Any) -> str:
    """``FastAPI app 'My API'``: the app as error messages name it."""
    title = getattr(app, "title", None)
    return f"{type(app).__name__} app {title!r}" if title else repr(app)


def _is_async(handler: Any) -> bool:
    while isinstance(handler, functools.partial):
        handler = handler.func
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
        getattr(handler, "__call__", None)  # noqa: B004 - an async callable object
    )


async def _run_handlers(handlers: Iterable[Callable[[], Any]]) -> None:
    for handler in handlers:
        if _is_async(handler):
            await handler()
        else:
            handler()


@asynccontextmanager
async def _event_handlers(router: Any) -> AsyncIterator[None]:
    # What Starlette's (and FastAPI's) _DefaultLifespan does.
    await _run_handlers(router.on_startup)
    try:
        yield
    finally:
        await _run_handlers(router.on_shutdown)


#: Set in the task that runs a lifespan for us: a server-side wrapper of
#: ``lifespan_context`` (``_bridge.lifespan.share_lifespan``) then hands over
#: to the app's own lifespan instead of joining the running one.
_opening: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "fastapi_everywhere_opening_lifespan", default=False
)

#: The attribute holding the app's own ``lifespan_context`` on our wrapper.
ORIGINAL = "__fastapi_everywhere_lifespan__"


def opening() -> bool:
    """Whether the caller runs inside a lifespan start-up that we run."""
    return _opening.get()


def mark_opening() -> None:
    """Mark the current context (a lifespan's own task) as running it for us."""
    _opening.set(True)


#: ``open_lifespan``'s default: the router's own lifespan.
OWN: Any = object()


def open_lifespan(app: Any, factory: Any = OWN) -> Any:
    """``app``'s lifespan as an async context manager; LifespanError if it is none.

    ``factory``: the lifespan to open (default: the router's own, unwrapped
    from our wrapper).
    """
    router = app.router
    if factory is OWN:
        factory = router.lifespan_context
        if hasattr(factory, ORIGINAL):
            factory = getattr(factory, ORIGINAL)
    fix = (
        "set app.router.lifespan_context to a function returning an async "
        "context manager (an @asynccontextmanager lifespan), or pass lifespan= "
        "to FastAPI()"
    )
    if factory is None:
        if isinstance(getattr(router, "on_startup", None), list) and isinstance(
            getattr(router, "on_shutdown", None), list
        ):
            return _event_handlers(router)
        raise LifespanError(
            f"the lifespan of {describe_app(app)} is None and its router has no "
            f"on_startup/on_shutdown handlers; {fix}"
        )
    if not callable(factory):
        raise LifespanError(
            f"the lifespan of {describe_app(app)} is {factory!r}, which is not "
            f"callable; {fix}"
        )
    cm = factory(app)
    if not (hasattr(cm, "__aenter__") and hasattr(cm, "__aexit__")):
        close = getattr(cm, "close", None)
        if inspect.iscoroutine(cm) and close is not None:
            close()  # no "coroutine was never awaited" warning
        raise LifespanError(
            f"the lifespan of {describe_app(app)}, {factory!r}, returned {cm!r}, "
            f"which is not an async context manager; {fix}"
        )
    return cm
