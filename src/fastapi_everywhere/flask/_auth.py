"""The Flask request and Flask-Login's user as FastAPI dependencies.

Both are *sync* dependencies on purpose. In a view decorated with
``with_fastapi_depends`` the sync dependencies run on the request's own
thread — for an ``async def`` view too, whose async steps alone go to the
loop thread — so they read Flask's request context where Flask put it, and
Flask-Login's user loader (a database query, a per-thread ORM session) runs
on the thread that serves the request, never on the shared loop.

Flask-Login is imported on first use: ``import fastapi_everywhere.flask``
does not import it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from flask import (
    Flask,
    Request,
    current_app,
    has_app_context,
    has_request_context,
    request,
)

from .._errors import FastAPIEverywhereError

__all__ = [
    "AuthenticatedFlaskUser",
    "FlaskContextError",
    "FlaskRequest",
    "FlaskUser",
    "authenticated_flask_user",
    "flask_login",
    "flask_request",
    "flask_user",
    "not_authenticated",
]


class FlaskContextError(FastAPIEverywhereError, RuntimeError):
    """A Flask dependency was resolved where it has nothing to read.

    Raised by :func:`flask_request` and :func:`flask_user` outside a Flask
    request (a script, a worker, a ``flask`` command, a FastAPI route), and
    by the user dependencies when the Flask app has no Flask-Login
    ``LoginManager``.

    .. versionadded:: 0.2
    """


def flask_login(owner: str) -> ModuleType:
    """The ``flask_login`` module, or an ImportError saying how to install it."""
    try:
        return importlib.import_module("flask_login")
    except ImportError as e:
        raise ImportError(
            f"{owner} needs Flask-Login: pip install 'fastapi-everywhere[flask-login]'"
        ) from e


def login_manager(owner: str, app: Flask) -> Any:
    """``app``'s Flask-Login ``LoginManager`` (``init_app`` puts it on the app)."""
    flask_login(owner)
    manager = getattr(app, "login_manager", None)
    if manager is None:
        raise FlaskContextError(
            f"{owner}: the Flask app {app.name!r} has no Flask-Login LoginManager; "
            "call LoginManager().init_app(app) (and register a user_loader) first"
        )
    return manager


def not_authenticated() -> HTTPException:
    """The error of a required user that is anonymous (FastAPI's security 401)."""
    return HTTPException(status_code=401, detail="Not authenticated")


def _require_request(owner: str, instead: str) -> None:
    if not has_request_context():
        raise FlaskContextError(
            f"fastapi_everywhere.flask.{owner}: no Flask request is being handled "
            "on this thread. It is resolved in Flask views decorated with "
            "with_fastapi_depends (or by resolve() in a request); in a script, "
            f"a worker, a flask command or a test, {instead}"
        )


def flask_request() -> Request:
    """The Flask request being handled: ``flask.request``'s own object.

    Use it through :data:`FlaskRequest` in a decorated Flask view (sync or
    ``async def``) or in any dependency it resolves, to reach what only
    Flask has (``request.form`` parsed by werkzeug, ``request.files``,
    ``request.environ``, attributes other extensions set). FastAPI's own
    ``Request`` parameter stays the Starlette request.

    Outside a Flask request it raises :class:`FlaskContextError`.

    .. versionadded:: 0.2
    """
    _require_request(
        "flask_request",
        "override it (app.dependency_overrides[flask_request] = ...) or depend "
        "on fastapi.Request instead",
    )
    found: Request = request._get_current_object()  # type: ignore[attr-defined]
    return found


def flask_user() -> Any:
    """Flask-Login's ``current_user`` of the request: the user, or the anonymous one.

    The user is loaded (session, "remember me" cookie, ``request_loader``)
    on first use in the request, on the request's thread, exactly as
    ``flask_login.current_user`` does; the object returned is the same one
    ``current_user`` proxies, and it is cached for the whole request.

    Outside a Flask request it raises :class:`FlaskContextError`; override it
    where there is no request: ``app.dependency_overrides[flask_user] =
    lambda: User(...)`` on the FastAPI app the Flask app uses.

    .. versionadded:: 0.2
    """
    owner = "fastapi_everywhere.flask.flask_user"
    _require_request(
        "flask_user",
        "override it: app.dependency_overrides[flask_user] = lambda: some_user",
    )
    login_manager(owner, current_app)
    # current_user loads the user once per request and keeps it on g.
    return flask_login(owner).current_user._get_current_object()


FlaskRequest = Annotated[Request, Depends(flask_request)]
"""The Flask request being handled (see :func:`flask_request`)."""

FlaskUser = Annotated[Any, Depends(flask_user)]
"""Flask-Login's current user, possibly anonymous (see :func:`flask_user`)."""


def authenticated_flask_user(user: FlaskUser) -> Any:
    """Flask-Login's current user, or FastAPI's 401 ``Not authenticated``.

    Like ``@login_required``, it lets anonymous users through when the Flask
    app's ``LOGIN_DISABLED`` config is true (tests); unlike it, it answers
    401 instead of redirecting to ``login_view``: put Flask-Login's
    ``@login_required`` above the decorated view for the redirect.

    .. versionadded:: 0.2
    """
    if not user.is_authenticated and not (
        has_app_context() and current_app.config.get("LOGIN_DISABLED")
    ):
        raise not_authenticated()
    return user


AuthenticatedFlaskUser = Annotated[Any, Depends(authenticated_flask_user)]
"""Flask-Login's current user, 401 when anonymous (see :func:`authenticated_flask_user`)."""
