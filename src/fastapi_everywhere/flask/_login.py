"""Flask-Login's user in FastAPI routes: one login while an app moves to FastAPI.

In the mixed app (a FastAPI app with the Flask app mounted under it) a
moved endpoint must keep its users logged in. :func:`flask_login_user`
makes a FastAPI dependency that opens a Flask request context for the
FastAPI request — the WSGI environ a2wsgi gives the mounted app, without the
body — so that nothing is reimplemented: the Flask app's own session
interface reads the session cookie (``SESSION_COOKIE_NAME``, ``SECRET_KEY``,
``SECRET_KEY_FALLBACKS`` on Flask >= 3.1, or a server-side session), and
Flask-Login's own ``current_user`` loads the user (session, "remember me"
cookie, ``request_loader``, session protection, its signals).

The dependency is sync: FastAPI runs it in its threadpool, so a blocking
user loader never runs on the event loop, and the Flask contexts are pushed
and popped on that one thread.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Depends
from flask import Flask
from starlette.requests import HTTPConnection

from ._auth import flask_login, login_manager, not_authenticated

__all__ = ["flask_login_user"]

_OWNER = "fastapi_everywhere.flask.flask_login_user"
_KEY = "fastapi_everywhere.flask_login_user"

#: Headers of a body the Flask request will not have (it is never read).
_BODY_KEYS = ("CONTENT_TYPE", "HTTP_TRANSFER_ENCODING")


def _environ(scope: Mapping[str, Any]) -> dict[str, Any]:
    """The WSGI environ of ``scope`` as the mounted Flask app would see it."""
    from a2wsgi.wsgi import build_environ  # the extra's dependency, needed here only

    # A websocket scope has no method; a2wsgi needs one.
    http = {"method": "GET", "http_version": "1.1", **scope}
    environ = dict(build_environ(http, io.BytesIO()))  # type: ignore[arg-type]
    for key in _BODY_KEYS:
        environ.pop(key, None)
    environ["CONTENT_LENGTH"] = "0"
    return environ


def _load_user(flask_app: Flask, scope: Mapping[str, Any]) -> Any:
    # A fresh app context: a fresh g, so no user cached by another request.
    with flask_app.app_context(), flask_app.request_context(_environ(scope)):
        login_manager(_OWNER, flask_app)
        return flask_login(_OWNER).current_user._get_current_object()


def _user_dependency(flask_app: Flask) -> Callable[..., Any]:
    def user(connection: HTTPConnection) -> Any:
        return _load_user(flask_app, connection.scope)

    user.__name__ = user.__qualname__ = f"flask_login_user({flask_app.name!r})"
    return user


def _required_dependency(
    flask_app: Flask, base: Callable[..., Any]
) -> Callable[..., Any]:
    async def user(user: Any = Depends(base)) -> Any:
        if not user.is_authenticated and not flask_app.config.get("LOGIN_DISABLED"):
            raise not_authenticated()
        return user

    name = f"flask_login_user({flask_app.name!r}, required=True)"
    user.__name__ = user.__qualname__ = name
    return user


def flask_login_user(flask_app: Flask, *, required: bool = False) -> Callable[..., Any]:
    """A FastAPI dependency: the Flask-Login user of ``flask_app`` for this request.

    For FastAPI routes of the app ``flask_app`` is mounted in (or served
    beside, on the same domain): the user the Flask views would see for the
    same cookies, loaded by ``flask_app``'s ``LoginManager`` and user loader
    in a Flask request context of its own, in FastAPI's threadpool. It is
    the user, or Flask-Login's anonymous user; with ``required=True`` an
    anonymous user is FastAPI's 401 ``Not authenticated`` (unless
    ``LOGIN_DISABLED`` is set on ``flask_app``).

    .. code-block:: python

        CurrentUser = Annotated[User, Depends(flask_login_user(flask_app, required=True))]

    The same arguments return the same dependency, so it is cached once per
    request and can be overridden:
    ``api.dependency_overrides[flask_login_user(flask_app)] = ...``. Works on
    HTTP and WebSocket routes. A ``request_loader`` sees the headers, query
    and cookies, never the body. Changes Flask-Login makes to the session
    (a user restored from the "remember me" cookie) are not saved: a FastAPI
    route does not set Flask's cookies.

    .. versionadded:: 0.2
    """
    if not isinstance(flask_app, Flask):
        raise TypeError(f"{_OWNER}: flask_app must be a Flask app, got {flask_app!r}")
    if not isinstance(required, bool):
        raise TypeError(f"{_OWNER}: required must be True or False, got {required!r}")
    made: dict[bool, Callable[..., Any]] = flask_app.extensions.setdefault(_KEY, {})
    found = made.get(required)
    if found is None:
        base = made.get(False)
        if base is None:
            base = made[False] = _user_dependency(flask_app)
        found = base if not required else _required_dependency(flask_app, base)
        made[required] = found
    return found
