"""The Flask extension: which FastAPI app, its per-process lifespan, the config.

Follows Flask's extension conventions (as ``svcs.flask`` does): no ``self.app``,
state in ``app.extensions["fastapi_everywhere"]``, config keys prefixed
``FASTAPI_EVERYWHERE_``. ``init_app`` starts nothing: it runs in gunicorn's
master and in every ``flask`` CLI invocation; the lifespan starts on first
use in each process.
"""

from __future__ import annotations

import contextvars
import importlib
import threading
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from flask import Flask, current_app, has_app_context

from .. import _config
from .._host import ProcessLifespan
from .._lifespan import StartupLimit

__all__ = ["EXTENSION_KEY", "ErrorHandler", "FastAPIDepends", "FlaskState", "state_of"]

EXTENSION_KEY = "fastapi_everywhere"

#: ``handler(exc)`` -> a Flask response value, or None for the default rendering.
ErrorHandler = Callable[[Exception], Any]


def _import_string(value: str, key: str) -> Any:
    module_name, sep, attr = value.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(
            f"{key}={value!r}: expected an import string 'package.module:attribute'"
        )
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _fastapi_app(value: Any, key: str) -> FastAPI | None:
    if isinstance(value, str):
        value = _import_string(value, key)
    if value is not None and not isinstance(value, FastAPI):
        raise TypeError(
            f"{key} must be a FastAPI app or its import string, got {value!r}"
        )
    return value


class FlaskState:
    """What one Flask app's requests and commands use: app, lifespan, hooks.

    The FastAPI app (an object or an import string) is imported on first use,
    so ``init_app`` never imports the FastAPI side of the project.
    """

    __slots__ = (
        "_app",
        "_app_ref",
        "_lifespan",
        "_lock",
        "error_handler",
        "limit",
        "name",
        "timeout",
        "use_lifespan",
    )

    def __init__(
        self,
        name: str,
        *,
        app: Any = None,
        error_handler: ErrorHandler | str | None = None,
        timeout: float | None = None,
        lifespan: bool = True,
        lifespan_timeout: float | None = None,
    ) -> None:
        self.name = name
        self._app_ref = app
        self._app: FastAPI | None = None
        self._lifespan: ProcessLifespan | None = None
        self.use_lifespan = lifespan
        self._lock = threading.Lock()
        if isinstance(error_handler, str):
            error_handler = _import_string(
                error_handler, "FASTAPI_EVERYWHERE_ERROR_HANDLER"
            )
        if error_handler is not None and not callable(error_handler):
            raise TypeError(
                f"FASTAPI_EVERYWHERE_ERROR_HANDLER must be callable, got {error_handler!r}"
            )
        self.error_handler: ErrorHandler | None = error_handler
        self.timeout = timeout
        self.limit: StartupLimit | None = None
        if lifespan_timeout is not None:
            key = "FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT"
            seconds = _config.positive_seconds(lifespan_timeout, key)
            self.limit = StartupLimit(seconds, key)

    def __repr__(self) -> str:
        return f"<FlaskState {self.name} app={self._app_ref!r} lifespan={self._lifespan!r}>"

    @property
    def fastapi_app(self) -> FastAPI | None:
        """The FastAPI app: configured here, else ``fastapi_everywhere.configure``'s."""
        if self._app is None and self._app_ref is not None:
            with self._lock:
                if self._app is None:
                    self._app = _fastapi_app(self._app_ref, "FASTAPI_EVERYWHERE_APP")
        return _config.app_for(self._app)

    @property
    def lifespan(self) -> ProcessLifespan | None:
        """The app's lifespan for this process (None without the extension or app)."""
        lifespan = self._lifespan
        if lifespan is None and self.use_lifespan:
            app = self.fastapi_app
            if app is None:
                return None  # maybe configured later
            with self._lock:
                if self._lifespan is None:
                    self._lifespan = ProcessLifespan(
                        app,
                        name=f"flask app {self.name!r}",
                        timeout=self.timeout,
                        limit=self.limit,
                    )
                lifespan = self._lifespan
        return lifespan

    def ensure_started(self) -> None:
        """Start the lifespan in this process unless it runs already (cheap then)."""
        lifespan = self.lifespan
        if lifespan is not None and not lifespan.running:
            # In an empty context: the lifespan's loop task would otherwise keep
            # (and hand back at shutdown) the Flask request context it started in.
            contextvars.Context().run(lifespan.ensure_started)

    def close_lifespan(self) -> None:
        """Shut this process's lifespan down now (idempotent)."""
        lifespan = self._lifespan
        if lifespan is not None:
            contextvars.Context().run(lifespan.close)


#: Flask apps without the extension: the configured app, no lifespan.
_DEFAULT = FlaskState("(no FastAPIDepends extension)", lifespan=False)


def state_of(app: Flask | None = None) -> FlaskState:
    """The extension state of ``app`` (default: the current app, if any)."""
    if app is None:
        if not has_app_context():
            return _DEFAULT
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.get(EXTENSION_KEY)
    return state if isinstance(state, FlaskState) else _DEFAULT


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
        """Register on ``app``: state, config defaults and the teardown hook."""
        from ._context import teardown_request  # the per-request scope's safety net

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
        app.teardown_request(teardown_request)
