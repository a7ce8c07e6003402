"""A FastAPI app served inside a Flask app: the legacy-first migration shape.

The Flask app stays the WSGI application a WSGI server (gunicorn) serves;
requests under one path prefix go to the FastAPI app through a2wsgi's
``ASGIMiddleware``, whose event loop is the one the Flask side's async
dependencies use (the shared loop thread, or the server's loop when one
serves): one loop, so a pool opened by the lifespan works on both sides.
The FastAPI app's lifespan runs once per process, started before its first
request (the Flask side joins the same one), and its state is the FastAPI
routes' ``request.state``, as under an ASGI server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from .._host import ProcessLifespan, sync_callers_loop, with_lifespan_state
from .._openapi import check_mount_path

__all__ = ["mount_fastapi"]


def mount_fastapi(flask_app: Flask, path: str, fastapi_app: FastAPI) -> Flask:
    """Serve ``fastapi_app`` under ``path`` of ``flask_app``; return ``flask_app``.

    Requests whose path starts with ``path`` reach the FastAPI app (with
    ``root_path`` set to it); every other request is the Flask app's. Use it
    while moving a Flask app's endpoints to FastAPI one at a time, with the
    Flask app still served by a WSGI server. The FastAPI app's lifespan
    starts once per worker process, before the first request of either side.

    .. versionadded:: 0.2
    """
    import a2wsgi  # the flask extra's; imported here so Flask alone imports

    if not isinstance(flask_app, Flask):
        raise TypeError(
            "fastapi_everywhere.flask.mount_fastapi: flask_app= must be a Flask "
            f"app, got {flask_app!r}"
        )
    if not isinstance(fastapi_app, FastAPI):
        raise TypeError(
            "fastapi_everywhere.flask.mount_fastapi: fastapi_app= must be a "
            f"FastAPI app, got {fastapi_app!r}"
        )
    prefix = check_mount_path(
        "fastapi_everywhere.flask.mount_fastapi", path, root=False
    )
    lifespan = ProcessLifespan(
        fastapi_app, name=f"FastAPI app at {prefix!r} of Flask app {flask_app.name!r}"
    )
    asgi = with_lifespan_state(fastapi_app)

    def fastapi_wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        lifespan.ensure_started()  # joins the Flask side's if it is the same app
        # The loop is looked up per request: a forked worker has its own.
        middleware = a2wsgi.ASGIMiddleware(asgi, loop=sync_callers_loop())
        return middleware(environ, start_response)  # type: ignore[arg-type]

    flask_app.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        flask_app.wsgi_app, {prefix: fastapi_wsgi}
    )
    return flask_app
