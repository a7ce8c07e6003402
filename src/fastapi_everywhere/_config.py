"""Process-wide configuration: the default FastAPI app and context factory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from fastapi import FastAPI

from ._errors import NotConfiguredError

ContextFactory = Callable[[Mapping[str, Any]], AbstractContextManager[Any]]

_app: FastAPI | None = None
_context_factory: ContextFactory | None = None


def configure(
    app: FastAPI | None = None, context_factory: ContextFactory | None = None
) -> None:
    """Set the process-wide default FastAPI app and context factory.

    ``app`` supplies ``dependency_overrides``, the lifespan and ``request.app``
    to every resolution that names no app of its own. ``context_factory``
    turns the ``context={...}`` given to :func:`with_fastapi_depends` into a
    context manager entered around each call (e.g. to bind logging context).
    """
    global _app, _context_factory
    if app is not None and not isinstance(app, FastAPI):
        raise TypeError(f"configure: app= must be a FastAPI app, got {app!r}")
    _app = app
    _context_factory = context_factory


def get_app() -> FastAPI:
    """The configured FastAPI app; :class:`NotConfiguredError` if there is none."""
    if _app is None:
        raise NotConfiguredError(
            "get_app: no FastAPI app is configured; call "
            "fastapi_everywhere.configure(app=...) at start-up, or pass app=."
        )
    return _app


def reset_config() -> None:
    """Forget the configured app and context factory (for tests)."""
    global _app, _context_factory
    _app = None
    _context_factory = None


def configured_app() -> FastAPI | None:
    """The configured app, or None."""
    return _app


def context_factory() -> ContextFactory | None:
    """The configured context factory, or None."""
    return _context_factory


def overrides_of(app: Any) -> Mapping[Any, Any] | None:
    """``app.dependency_overrides`` (any object with that attribute), or None."""
    if app is None:
        return None
    return getattr(app, "dependency_overrides", None) or None
