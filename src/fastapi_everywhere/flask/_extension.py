"""The Flask extension: which FastAPI app, its per-process lifespan, the config.

Follows Flask's extension conventions (as ``svcs.flask`` does): no ``self.app``,
state in ``app.extensions["fastapi_everywhere"]``, config keys prefixed
``FASTAPI_EVERYWHERE_``. ``init_app`` starts nothing: it runs in gunicorn's
master and in every ``flask`` CLI invocation; the lifespan starts on first
use in each process.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ._state import EXTENSION_KEY, FlaskState

__all__ = ["EXTENSION_KEY", "FastAPIDepends"]


class FastAPIDepends:
    """Flask extension: FastAPI dependencies in this app's routes and commands.

    ``fastapi_app`` (a FastAPI app or ``"package.module:app"``) supplies
    ``dependency_overrides``, exception handlers, ``request.app`` and the
    lifespan, which starts on first use in each process (each gunicorn
    worker) and shuts down at exit. Config keys (they win over the arguments):

    ``FASTAPI_EVERYWHERE_APP``
        The FastAPI app or its import string (default: ``fastapi_app``, else
        the app given to ``fastapi_everywhere.configure``).
    ``FASTAPI_EVERYWHERE_ERROR_HANDLER``
        ``handler(exc)`` (or its import string) called for a
        ``RequestValidationError`` or ``HTTPException``; it returns a Flask
        response value, or None for FastAPI's rendering.
    ``FASTAPI_EVERYWHERE_TIMEOUT``
        Seconds to wait for any step on the shared loop thread (default none).
    ``FASTAPI_EVERYWHERE_LIFESPAN``
        False to never run the FastAPI app's lifespan (default True).
    ``FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT``
        Seconds the lifespan's start-up may take before it is cancelled and
        ``LifespanError`` raised (default None: ``fastapi_everywhere.configure``'s
        ``lifespan_timeout``, 60 s unless set).
    """

    def __init__(self, app: Flask | None = None, *, fastapi_app: Any = None) -> None:
        self.fastapi_app = fastapi_app
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"<FastAPIDepends fastapi_app={self.fastapi_app!r}>"

    def init_app(self, app: Flask) -> None:
        """Register on ``app``: its state and config defaults (no hook: a
        ``teardown_request`` function is added on first need)."""
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                f"FastAPIDepends.init_app: Flask app {app.name!r} already has the "
                f"fastapi_everywhere extension ({app.extensions[EXTENSION_KEY]!r}); "
                "register it once per app"
            )
        config = app.config
        config.setdefault("FASTAPI_EVERYWHERE_APP", self.fastapi_app)
        config.setdefault("FASTAPI_EVERYWHERE_ERROR_HANDLER", None)
        config.setdefault("FASTAPI_EVERYWHERE_TIMEOUT", None)
        config.setdefault("FASTAPI_EVERYWHERE_LIFESPAN", True)
        config.setdefault("FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT", None)
        app.extensions[EXTENSION_KEY] = FlaskState(
            app.name,
            app=config["FASTAPI_EVERYWHERE_APP"],
            error_handler=config["FASTAPI_EVERYWHERE_ERROR_HANDLER"],
            timeout=config["FASTAPI_EVERYWHERE_TIMEOUT"],
            lifespan=bool(config["FASTAPI_EVERYWHERE_LIFESPAN"]),
            lifespan_timeout=config["FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT"],
        )
