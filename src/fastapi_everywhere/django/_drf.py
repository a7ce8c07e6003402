"""Django REST framework views: its ``Request``, ``@api_view`` and its error handling.

DRF hands a view its own ``Request``, which wraps Django's ``HttpRequest``
(``request._request``) after authentication, permissions and throttling ran.
Nothing here imports DRF at import time: a DRF request is recognised only
when ``rest_framework`` is loaded already (a DRF view is running).
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from starlette.responses import Response

__all__ = [
    "api_view_function",
    "drf_request",
    "error_class",
    "split_request",
    "through_exception_handler",
    "wrap_api_view",
]

# Headers DRF's renderer sets itself on the response it renders.
_RENDERED = {"content-type", "content-length"}


def drf_request(value: Any) -> Any:
    """``value`` if it is DRF's ``Request``, else None."""
    module = sys.modules.get("rest_framework.request")
    if module is not None and isinstance(value, module.Request):
        return value
    return None


def split_request(value: Any) -> tuple[HttpRequest, Any] | None:
    """``(HttpRequest, the view's request)`` for a Django or DRF request, else None."""
    if isinstance(value, HttpRequest):
        return value, value
    if drf_request(value) is not None:
        http = value._request
        if isinstance(http, HttpRequest):
            return http, value
    return None


def api_view_function(view: Callable[..., Any]) -> Callable[..., Any] | None:
    """The function under ``@api_view`` when ``view`` is what it returned, else None.

    ``@api_view`` builds an ``APIView`` class whose handlers call the
    function from a closure; the class is the view's ``cls``.
    """
    cls = getattr(view, "cls", None)
    views = sys.modules.get("rest_framework.views")
    if views is None or not (isinstance(cls, type) and issubclass(cls, views.APIView)):
        return None
    for name in getattr(cls, "http_method_names", ()):
        handler = cls.__dict__.get(name)
        if inspect.isfunction(handler):
            found: Any = inspect.getclosurevars(handler).nonlocals.get("func")
            if callable(found):
                return found  # type: ignore[no-any-return]
    return None


def wrap_api_view(
    view: Callable[..., Any], decorated: Callable[..., Any]
) -> Callable[..., Any]:
    """Make ``view``'s handlers (``@api_view``'s class) call ``decorated``.

    So with ``@with_fastapi_depends`` above ``@api_view``, dependencies are
    still resolved inside DRF's ``dispatch``: after authentication,
    permissions and throttling, from DRF's request.
    """
    cls: Any = getattr(view, "cls")  # noqa: B009 (checked by api_view_function)

    def handler(self: Any, *args: Any, **kwargs: Any) -> Any:
        return decorated(*args, **kwargs)

    for name in cls.http_method_names:
        if name != "options" and inspect.isfunction(cls.__dict__.get(name)):
            setattr(cls, name, handler)
    return view


def error_class() -> type[Exception]:
    """``fastapi_everywhere.django.FastAPIError``: built on first use.

    A DRF ``APIException`` carrying a FastAPI error: ``status_code``,
    ``detail`` (FastAPI's JSON body, unchanged), ``headers`` (FastAPI's
    response headers) and ``__cause__`` (the ``HTTPException`` or
    ``RequestValidationError``). Built late so that importing
    ``fastapi_everywhere.django`` does not import DRF.
    """
    global _error_class
    if _error_class is None:
        from rest_framework.exceptions import APIException

        class FastAPIError(APIException):  # type: ignore[misc]
            """A FastAPI error handed to DRF's exception handling."""

            def __init__(self, status: int, body: Any, headers: dict[str, str]):
                super().__init__()
                # As is: DRF would turn every leaf into an ErrorDetail string.
                self.detail = body
                self.status_code = status
                self.headers = headers
                self.auth_header = headers.get("www-authenticate")

        FastAPIError.__module__ = "fastapi_everywhere.django"
        _error_class = FastAPIError
    return _error_class


_error_class: type[Exception] | None = None


def through_exception_handler(
    host: Any, rendered: Response, exc: BaseException
) -> HttpResponseBase | None:
    """FastAPI's error response handed to DRF's exception handling, or None.

    The view's exception handler (the project's ``EXCEPTION_HANDLER``) gets
    a ``FastAPIError`` (:func:`error_class`); DRF's default one answers with FastAPI's body and
    status, and DRF's renderers and content negotiation then render it. The
    other headers of FastAPI's response are added. None (FastAPI's response
    as is) when ``host`` is no DRF request, the body is not JSON, or the
    handler returns None.
    """
    request = drf_request(host)
    view = None if request is None else request.parser_context.get("view")
    media = rendered.headers.get("content-type", "")
    if view is None or not media.startswith("application/json"):
        return None
    try:
        body = json.loads(bytes(rendered.body))
    except ValueError:
        return None
    headers = {k: v for k, v in rendered.headers.items() if k not in _RENDERED}
    error = error_class()(rendered.status_code, body, headers)
    error.__cause__ = exc
    handler = view.get_exception_handler()
    response = handler(error, view.get_exception_handler_context())
    if response is None:
        return None
    response.exception = True  # as DRF's handle_exception marks it
    for name, value in headers.items():
        if not response.has_header(name):
            response[name] = value
    return response  # type: ignore[no-any-return]
