"""Django's ASGI application, plus the ASGI lifespan protocol for the FastAPI app.

Django's own ASGI handler ignores ``lifespan`` events, and servers such as
uvicorn end the process by re-raising SIGTERM once they have shut down, so an
``atexit`` shutdown never runs there. Serving this wrapper instead lets the
server start the FastAPI app's lifespan on its own loop before the first
request and shut it down before it exits: one lifespan, one loop.

``get_asgi_application(mount={"/api": api})`` also serves FastAPI apps inside
the Django project (the legacy-first migration shape): requests under each
prefix go to that app, everything else to Django, and the server's lifespan
events run each app's lifespan once, on the server's loop, with its state in
the FastAPI routes' ``request.state``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from contextlib import AsyncExitStack
from typing import Any

from .._host import served_lifespan
from .._openapi import check_mount_path
from ._state import process_lifespan

__all__ = ["get_asgi_application", "with_lifespan"]

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


def _lifespan_apps(mounted: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """The apps whose lifespan the server's events run, each once."""
    lifespan = process_lifespan()
    apps: list[tuple[Any, str]] = []
    if lifespan is not None and lifespan.app is not None:
        apps.append((lifespan.app, lifespan.name))
    for prefix, app in mounted.items():
        router = getattr(app, "router", None)
        if hasattr(router, "lifespan_context") and all(app is not a for a, _ in apps):
            apps.append((app, f"the app mounted at {prefix!r}"))
    return apps


def with_lifespan(
    application: ASGIApp, *, mounted: Mapping[str, Any] | None = None
) -> ASGIApp:
    """Answer the server's ``lifespan`` events with the FastAPI app's lifespan.

    The lifespan runs on the server's loop, which then serves everything: an
    ``async def`` view's async dependencies run on it with no thread hop, and
    sync views' async steps are sent to it (no loop thread is started).
    ``mounted`` apps (see :func:`get_asgi_application`) have theirs run too.
    """
    mounted = dict(mounted or {})

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
                    try:
                        apps = _lifespan_apps(mounted) or [(None, "Django")]
                        for fastapi_app, name in apps:
                            state = await stack.enter_async_context(
                                served_lifespan(fastapi_app, owner=name)
                            )
                            # What Starlette does: requests get a copy.
                            if state and isinstance(scope.get("state"), dict):
                                scope["state"].update(state)
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


def _check_mount(mount: Mapping[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    owner = "fastapi_everywhere.django.asgi.get_asgi_application(mount=...)"
    for prefix, app in mount.items():
        path = check_mount_path(owner, prefix, root=False)
        if not callable(app):
            raise TypeError(
                f"{owner}: mount[{prefix!r}] must be an ASGI app, got {app!r}"
            )
        checked[path] = app
    return checked


def get_asgi_application(*, mount: Mapping[str, Any] | None = None) -> ASGIApp:
    """``django.core.asgi.get_asgi_application()`` wrapped by :func:`with_lifespan`.

    ``mount`` maps path prefixes to ASGI apps (FastAPI apps) served inside
    the Django project, routed as Starlette's ``Mount`` routes them
    (``root_path`` set to the prefix); every other request is Django's.

    .. versionchanged:: 0.2 ``mount=``.
    """
    from django.core.asgi import get_asgi_application as django_asgi

    application: ASGIApp = django_asgi()
    mounted = _check_mount(mount or {})
    if mounted:
        from starlette.routing import Mount, Router

        routes = [Mount(prefix, app=app) for prefix, app in mounted.items()]
        routes.append(Mount("", app=application))
        application = Router(routes=routes)
    return with_lifespan(application, mounted=mounted)
