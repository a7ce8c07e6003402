"""Process-wide configuration: the default FastAPI app, context factory and
lifespan start-up limit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from fastapi import FastAPI

from ._errors import NotConfiguredError

ContextFactory = Callable[[Mapping[str, Any]], AbstractContextManager[Any]]

#: Seconds a lifespan may take to reach its ``yield`` before start-up fails.
#: Generous, like Hypercorn's ``startup_timeout`` (60 s): real start-ups
#: connect to databases and warm caches; only a hung one should reach it.
DEFAULT_LIFESPAN_TIMEOUT = 60.0

_app: FastAPI | None = None
_context_factory: ContextFactory | None = None
_lifespan_timeout = DEFAULT_LIFESPAN_TIMEOUT
_configured = False


def configure(
    app: FastAPI | None = None,
    context_factory: ContextFactory | None = None,
    *,
    lifespan_timeout: float = DEFAULT_LIFESPAN_TIMEOUT,
) -> None:
    """Set the process-wide default FastAPI app, context factory and limits.

    ``app`` supplies ``dependency_overrides``, the lifespan and ``request.app``
    to every resolution that names no app of its own. ``context_factory``
    turns the ``context={...}`` given to :func:`with_fastapi_depends` into a
    context manager entered around each call (e.g. to bind logging context).
    ``lifespan_timeout`` is how many seconds a lifespan start-up may take
    before it is cancelled and :class:`LifespanError` raised (default 60).
    """
    global _app, _context_factory, _lifespan_timeout, _configured
    if app is not None and not isinstance(app, FastAPI):
        raise TypeError(f"configure: app= must be a FastAPI app, got {app!r}")
    seconds = positive_seconds(lifespan_timeout, "configure: lifespan_timeout=")
    _app = app
    _context_factory = context_factory
    _lifespan_timeout = seconds
    _configured = True


def is_configured() -> bool:
    """Whether :func:`configure` was called (and not undone by :func:`reset_config`).

    .. versionadded:: 0.2
    """
    return _configured


def get_context_factory() -> ContextFactory | None:
    """The configured context factory, or None.

    .. versionadded:: 0.2
    """
    return _context_factory


def positive_seconds(value: Any, where: str) -> float:
    """``value`` as a float number of seconds; ValueError naming ``where`` if
    it is not a positive number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{where} must be a positive number of seconds, got {value!r}")
    return float(value)


def lifespan_timeout() -> float:
    """The configured lifespan start-up limit, in seconds."""
    return _lifespan_timeout


def get_app() -> FastAPI:
    """The configured FastAPI app; :class:`NotConfiguredError` if there is none."""
    if _app is None:
        raise NotConfiguredError(
            "get_app: No FastAPI app configured; call "
            "fastapi_everywhere.configure(app=...) at start-up, or pass app=."
        )
    return _app


def reset_config() -> None:
    """Forget the configured app, context factory and limits (for tests)."""
    global _app, _context_factory, _lifespan_timeout, _configured
    _app = None
    _context_factory = None
    _lifespan_timeout = DEFAULT_LIFESPAN_TIMEOUT
    _configured = False


def configured_app() -> FastAPI | None:
    """The configured app, or None."""
    return _app


def app_for(app: FastAPI | None) -> FastAPI | None:
    """``app`` when given, else the configured app (None when there is none).

    The one place that decides which app a call uses.
    """
    return app if app is not None else _app


def require_app(app: FastAPI | None) -> FastAPI:
    """:func:`app_for`, or :class:`NotConfiguredError` when there is none."""
    return app if app is not None else get_app()


def context_factory() -> ContextFactory | None:
    """The configured context factory, or None."""
    return _context_factory


def overrides_of(app: Any) -> Mapping[Any, Any] | None:
    """``app.dependency_overrides`` (any object with that attribute), or None."""
    if app is None:
        return None
    return getattr(app, "dependency_overrides", None) or None
