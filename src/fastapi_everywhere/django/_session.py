"""Django's session login in FastAPI routes: the user of the session cookie.

During a migration the FastAPI app and the Django app mounted under it
serve one site, so a browser sends both the same session cookie. A moved
endpoint validates it as Django does: the session engine loads the session,
``django.contrib.auth.get_user`` loads the user through the backend that
logged them in and checks the session's auth hash (a changed password logs
out everywhere). The ORM work runs in a worker thread, never on the loop,
with Django's per-request connection hygiene around it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from fastapi import Depends, HTTPException
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "LoggedInSessionUser",
    "SessionUser",
    "logged_in_session_user",
    "session_user",
]


class _SessionRequest:
    """What ``django.contrib.auth.get_user`` reads of a request: its session."""

    __slots__ = ("session",)

    def __init__(self, session: Any) -> None:
        self.session = session


def _load_user(key: str) -> tuple[Any, str | None]:
    """The user of session ``key``, and the session's key afterwards.

    ``get_user`` flushes a session whose auth hash no longer matches, and
    moves one verified by a ``SECRET_KEY_FALLBACKS`` key to a new key.
    """
    from django.contrib.auth import get_user

    close_old_connections()  # as Django does when a request starts and ends
    try:
        session = import_module(settings.SESSION_ENGINE).SessionStore(key)
        user = get_user(_SessionRequest(session))
        if session.modified and session.session_key:
            session.save()
        return user, session.session_key
    finally:
        close_old_connections()


def _set_cookie(response: Response, key: str | None) -> None:
    """Send the session's new key (or delete it) with Django's cookie settings."""
    name = settings.SESSION_COOKIE_NAME
    if key is None:
        response.delete_cookie(
            name,
            path=settings.SESSION_COOKIE_PATH,
            domain=settings.SESSION_COOKIE_DOMAIN,
        )
        return
    response.set_cookie(
        name,
        key,
        max_age=None
        if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        else settings.SESSION_COOKIE_AGE,
        path=settings.SESSION_COOKIE_PATH,
        domain=settings.SESSION_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=settings.SESSION_COOKIE_HTTPONLY,
        samesite=settings.SESSION_COOKIE_SAMESITE or "lax",
    )


async def session_user(request: Request, response: Response) -> Any:
    """The Django user logged in with this request's session cookie.

    For FastAPI routes of a project migrating from Django: the cookie named
    ``settings.SESSION_COOKIE_NAME`` is loaded by ``settings.SESSION_ENGINE``
    and its user by the backend that logged them in
    (``django.contrib.auth.get_user``, which also verifies the session auth
    hash); ``AnonymousUser`` without a cookie or a valid login. The queries
    run in a worker thread. Sends a new cookie if Django moved the session.

    .. versionadded:: 0.2
    """
    from django.contrib.auth.models import AnonymousUser

    key = request.cookies.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return AnonymousUser()
    user, now = await sync_to_async(_load_user, thread_sensitive=False)(key)
    if now != key:
        _set_cookie(response, now)
    return user


async def logged_in_session_user(user: Annotated[Any, Depends(session_user)]) -> Any:
    """:func:`session_user`, or FastAPI's 401 ``Not authenticated`` without one.

    .. versionadded:: 0.2
    """
    if not user.is_authenticated:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return user


if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    #: ``user: SessionUser`` in a FastAPI route: :func:`session_user`.
    SessionUser = Annotated[AbstractBaseUser | AnonymousUser, Depends(session_user)]
    #: ``user: LoggedInSessionUser``: :func:`logged_in_session_user`.
    LoggedInSessionUser = Annotated[AbstractBaseUser, Depends(logged_in_session_user)]
else:  # Django's auth models cannot be imported before the app registry is ready.
    SessionUser = Annotated[Any, Depends(session_user)]
    LoggedInSessionUser = Annotated[Any, Depends(logged_in_session_user)]
