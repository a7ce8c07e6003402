"""Starlette responses onto Django ones: errors, and an injected ``Response``."""

from __future__ import annotations

from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import Any

from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from starlette.responses import Response

from .._host import RequestScope, aerror_response, error_response
from . import _settings
from ._drf import drf_request, through_exception_handler

__all__ = [
    "apply_response",
    "arender_error",
    "render_error",
    "roll_back_atomic_blocks",
    "to_django",
]


def _apply_headers(
    response: HttpResponseBase, raw: Iterable[tuple[bytes, bytes]]
) -> None:
    seen: set[str] = set()
    for key, value in raw:
        name = key.decode("latin-1")
        text = value.decode("latin-1")
        lower = name.lower()
        if lower == "set-cookie":
            # Django keeps cookies apart from headers, one Morsel per name.
            jar: SimpleCookie = SimpleCookie()
            jar.load(text)
            for morsel_name, morsel in jar.items():
                response.cookies[morsel_name] = morsel
        elif lower in seen:
            # Django holds one value per header: repeated ones are joined.
            response.headers[name] = f"{response.headers[name]}, {text}"
        else:
            seen.add(lower)
            response.headers[name] = text


def to_django(response: tuple[bytes, int] | Response) -> HttpResponse:
    """A Django response with ``response``'s exact status, body and headers.

    ``response`` is a Starlette response, or a JSON body and its status
    (``ViewRoute.render``): the two headers Starlette would send with it.
    """
    if isinstance(response, tuple):
        body, status = response
        # In Starlette's order and spelling; Django adds no Content-Type then.
        headers = {"content-length": str(len(body)), "content-type": "application/json"}
        return HttpResponse(body, status=status, headers=headers)
    out = HttpResponse(response.body, status=response.status_code)  # pyright: ignore[reportArgumentType]
    del out.headers["Content-Type"]  # Django's default; Starlette's comes next
    _apply_headers(out, response.headers.raw)
    return out


def apply_response(response: HttpResponseBase, sub: Response | None) -> None:
    """Apply what dependencies set on an injected ``Response``: status, headers, cookies."""
    if sub is None:
        return
    status = sub.status_code
    if status is not None:
        response.status_code = status
    _apply_headers(
        response, ((k, v) for k, v in sub.headers.raw if k != b"content-length")
    )


def _custom(request: HttpRequest, exc: BaseException) -> HttpResponseBase | None:
    renderer = _settings.current().error_renderer
    if renderer is None or not isinstance(exc, Exception):
        return None
    return renderer(request, exc)


def _converted(
    rendered: Response | None, exc: BaseException, host: Any
) -> HttpResponseBase | None:
    if rendered is None:
        return None
    if drf_request(host) is not None and _settings.current().drf_errors == "handler":
        handled = through_exception_handler(host, rendered, exc)
        if handled is not None:
            return handled
    return to_django(rendered)


def render_error(
    request: HttpRequest, scope: RequestScope, exc: BaseException, host: Any = None
) -> HttpResponseBase | None:
    """The response for ``exc``, or None to let Django handle it.

    The project's ``ERROR_RENDERER`` first; then FastAPI's (or the app's
    registered handler's) response for ``HTTPException`` and
    ``RequestValidationError``; anything else propagates. In a DRF view
    (``host`` is DRF's ``Request``) that response goes through DRF's
    exception handler and renderers unless ``DRF_ERRORS`` is ``"response"``.
    """
    custom = _custom(request, exc)
    if custom is not None:
        return custom
    rendered = error_response(exc, app=scope.app, request=scope.request)
    return _converted(rendered, exc, host)


async def arender_error(
    request: HttpRequest, scope: RequestScope, exc: BaseException, host: Any = None
) -> HttpResponseBase | None:
    """:func:`render_error` for async views."""
    custom = _custom(request, exc)
    if custom is not None:
        return custom
    rendered = await aerror_response(exc, app=scope.app, request=scope.request)
    return _converted(rendered, exc, host)


def roll_back_atomic_blocks() -> None:
    """An error rendered as a response still rolls the view's transaction back.

    Django rolls ``ATOMIC_REQUESTS`` (or an ``atomic`` around the view) back
    only when the view raises; the error was raised, then turned into a
    response here, so its ORM writes are undone as FastAPI's ``yield``
    sessions undo theirs.
    """
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            transaction.set_rollback(True, using=conn.alias)
