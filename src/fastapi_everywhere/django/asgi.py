"""Django's ASGI application, plus the ASGI lifespan protocol for the FastAPI app.

Django's own ASGI handler ignores ``lifespan`` events, and servers such as
uvicorn end the process by re-raising SIGTERM once they have shut down, so an
``atexit`` shutdown never runs there. Serving this wrapper instead lets the
server start the FastAPI app's lifespan before the first request and shut it
down before it exits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgiref.sync import sync_to_async

from ._state import process_lifespan

__all__ = ["get_asgi_application", "with_lifespan"]

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


def with_lifespan(application: ASGIApp) -> ASGIApp:
    """Answer the server's ``lifespan`` events with the FastAPI app's lifespan."""

    async def app(
        scope: Scope,
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "lifespan":
            await application(scope, receive, send)
            return
        while True:
            message = await receive()
            lifespan = process_lifespan()
            if message["type"] == "lifespan.startup":
                try:
                    if lifespan is not None:
                        await sync_to_async(
                            lifespan.ensure_started, thread_sensitive=False
                        )()
                except Exception as exc:  # reported to the server, which exits
                    await send(
                        {"type": "lifespan.startup.failed", "message": repr(exc)}
                    )
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    if lifespan is not None:
                        await sync_to_async(lifespan.close, thread_sensitive=False)()
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
