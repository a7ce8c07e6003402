"""Django's CSRF check for FastAPI routes authenticated by the session cookie.

Legacy Django views keep ``CsrfViewMiddleware``. A moved endpoint that
trusts the session cookie (:func:`session_user`) and changes state must
check what the middleware checked: the same origin (``Origin``, or
``Referer`` over HTTPS, and ``CSRF_TRUSTED_ORIGINS``) and a token
(``X-CSRFToken`` header, or the form's ``csrfmiddlewaretoken``) matching the
``csrftoken`` cookie. :func:`check_django_csrf` runs Django's own middleware
on a Django request built from the FastAPI request, so every Django setting
applies.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.middleware.csrf import CsrfViewMiddleware
from fastapi import HTTPException
from starlette.requests import Request

__all__ = ["check_django_csrf"]

_SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class _Rejected:
    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Check(CsrfViewMiddleware):  # type: ignore[misc]
    """Django's middleware, reporting the reason instead of rendering a page."""

    def _reject(self, request: Any, reason: str) -> Any:
        return _Rejected(reason)


def _unused(request: Any) -> None:  # the middleware's get_response: never called
    return None


def _run_check(request: ASGIRequest, session_key: str | None) -> _Rejected | None:
    if settings.CSRF_USE_SESSIONS:  # the token lives in the session
        from importlib import import_module

        engine = import_module(settings.SESSION_ENGINE)
        request.session = engine.SessionStore(session_key)  # pyright: ignore[reportAttributeAccessIssue]
    result = _Check(_unused).process_view(request, None, (), {})
    return result if isinstance(result, _Rejected) else None


async def check_django_csrf(request: Request) -> None:
    """Reject an unsafe request that fails Django's CSRF check (FastAPI's 403).

    Use it on FastAPI routes that authenticate with Django's session cookie
    and change state: ``dependencies=[Depends(check_django_csrf)]``. Safe
    methods pass. The browser sends what it sends to the Django views: the
    ``csrftoken`` cookie and the token in ``X-CSRFToken`` (or a form's
    ``csrfmiddlewaretoken``). The detail names Django's reason.

    .. versionadded:: 0.2
    """
    if request.method in _SAFE:
        return
    media = request.headers.get("content-type", "").partition(";")[0].strip()
    body = await request.body() if media in _FORMS else b""
    scope = dict(request.scope)
    scope.setdefault("root_path", "")
    django_request = ASGIRequest(scope, BytesIO(body))
    session_key = request.cookies.get(settings.SESSION_COOKIE_NAME)
    if settings.CSRF_USE_SESSIONS:
        rejected = await sync_to_async(_run_check, thread_sensitive=False)(
            django_request, session_key
        )
    else:
        rejected = _run_check(django_request, session_key)
    if rejected is not None:
        raise HTTPException(
            status_code=403, detail=f"CSRF verification failed: {rejected.reason}"
        )
