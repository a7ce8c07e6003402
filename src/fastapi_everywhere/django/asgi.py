"""Django's ASGI application, plus the ASGI lifespan protocol for the FastAPI app.

Django's own ASGI handler ignores ``lifespan`` events, and servers such as
uvicorn end the process by re-raising SIGTERM once they have shut down, so an
``atexit`` shutdown never runs there. Serving this wrapper instead lets the
server start the FastAPI app's lifespan on its own loop before the first
request and shut it down before it exits: one lifespan, one loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AsyncExitStack
from typing import Any

from .._host import served_lifespan
from ._state import process_lifespan

__all__ = ["get_asgi_application", "with_lifespan"]

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


def with_lifespan(application: ASGIApp) -> ASGIApp:
    """Answer the server's ``lifespan`` events with the FastAPI app's lifespan.

    The lifespan runs on the server's loop, which then serves everything: an
    ``async def`` view's async dependencies run on it with no thread hop, and
    sync views' async steps are sent to it (no loop thread is started).
    """

    async def app(
        scope: Scope,
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "lifespan":
            await application(scope, receive, send)
            return
        async with AsyncExitStack() as stack:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    lifespan = process_lifespan()
                    app = lifespan.app if lifespan is not None else None
                    name = lifespan.name if lifespan is not None else "Django"
                    try:
                        await stack.enter_async_context(
                            served_lifespan(app, owner=name)
                        )
                    except Exception as exc:  # reported to the server, which exits
                        await send(
                            {"type": "lifespan.startup.failed", "message": repr(exc)}
                        )
                        return
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    try:
                        await stack.aclose()
                    except Exception as exc:
                        await send(
                            {"type": "lifespan.shutdown.failed", "message": repr(exc)}
                        )
                        return
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    return app


def get_asgi_application() -> ASGIApp:
    """``django.core.asgi.get_asgi_application()`` wrapped by :func:`with_lifespan`."""
    from django.core.asgi import get_asgi_application as django_asgi

    application: ASGIApp = django_asgi()
    return with_lifespan(application)
