"""What the extension keeps per Flask app: the FastAPI app, its lifespan, the config.

:class:`FlaskState` lives in ``app.extensions["fastapi_everywhere"]``
(``FastAPIDepends.init_app`` puts it there); :func:`state_of` finds it for
the current app, or a default when the extension was not registered.
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
from .._host import ProcessLifespan, share_lifespan
from .._lifespan import StartupLimit

__all__ = ["EXTENSION_KEY", "ErrorHandler", "FlaskState", "state_of"]

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
        if lifespan:
            # Before a server may run it (the Flask app mounted under it).
            given = _config.configured_app() if app is None else app
            if isinstance(given, FastAPI):
                share_lifespan(given)
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
        self.started_app()

    def started_app(self) -> FastAPI | None:
        """:attr:`fastapi_app`, its lifespan started in this process first.

        What each request asks of its app's state, in one call.
        """
        app = self._app
        if app is None:  # fastapi_app, a call less when none is set here
            app = (
                self.fastapi_app
                if self._app_ref is not None
                else _config.configured_app()
            )
        lifespan = self._lifespan
        if lifespan is None:
            if app is None or not self.use_lifespan:
                return app  # no lifespan (yet: an app may be configured later)
            lifespan = self.lifespan
            assert lifespan is not None
        if not lifespan.running:
            # In an empty context: the lifespan's loop task would otherwise keep
            # (and hand back at shutdown) the Flask request context it started in.
            contextvars.Context().run(lifespan.ensure_started)
        return app

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
    state = app.extensions.get(EXTENSION_KEY)  # pyright: ignore[reportOptionalMemberAccess]
    return state if isinstance(state, FlaskState) else _DEFAULT
