"""FastAPI's error responses, as Flask responses.

``RequestValidationError`` becomes FastAPI's 422 and ``HTTPException`` its
status, ``{"detail": ...}`` and headers, byte for byte (the FastAPI app's own
exception handlers apply). The project keeps the last word: a
``FASTAPI_EVERYWHERE_ERROR_HANDLER`` hook, or a Flask error handler registered
for the exception type (``@app.errorhandler(RequestValidationError)``), wins.
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from flask import Response, current_app, has_request_context, request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse

from .._host import error_response
from ._state import FlaskState

__all__ = ["FASTAPI_ERRORS", "flask_response", "render_error"]

#: The exception types rendered as FastAPI renders them.
FASTAPI_ERRORS = (RequestValidationError, StarletteHTTPException)


def flask_response(response: StarletteResponse) -> Response:
    """A Flask response with the status, body and headers of a Starlette one."""
    headers = [
        (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
    ]
    out: Response = current_app.response_class(
        bytes(response.body), status=response.status_code, headers=headers
    )
    return out


def _flask_handles(exc: Exception) -> bool:
    """Whether the Flask app (or a current blueprint) registered a handler.

    Flask's own lookup (``_find_error_handler``) is private and changed its
    signature in 3.0; ``error_handler_spec`` is public: {blueprint or None:
    {status code or None: {exception class: handler}}}.
    """
    blueprints = request.blueprints if has_request_context() else []
    spec = current_app.error_handler_spec
    for name in (*blueprints, None):
        by_class = spec.get(name, {}).get(None, {})
        if any(cls in by_class for cls in type(exc).__mro__):
            return True
    return False


def render_error(
    exc: Exception, state: FlaskState, request: StarletteRequest | None
) -> Response | None:
    """The Flask response for ``exc``; None to let Flask handle it (re-raise)."""
    if not isinstance(exc, FASTAPI_ERRORS):
        return None
    if state.error_handler is not None:
        rv: Any = state.error_handler(exc)
        if rv is not None:
            return current_app.make_response(rv)
    if _flask_handles(exc):
        return None
    response = error_response(exc, app=state.fastapi_app, request=request)
    return None if response is None else flask_response(response)
