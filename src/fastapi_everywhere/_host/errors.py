"""FastAPI's error responses for a host framework.

``RequestValidationError`` (422) and ``HTTPException`` become the response
the FastAPI app (its own exception handler, else FastAPI's default) would
send; anything else is the host's to handle.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from fastapi import FastAPI
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from .. import _config
from .._bridge.owner import OwnerTask
from .._engine._threads import run_in_thread
from .._lifespan import lifespan_state
from .._scope import ScopeSpec, build_request


def _handler_for(exc: BaseException, app: FastAPI | None) -> Any:
    if isinstance(exc, RequestValidationError):
        default: Any = request_validation_exception_handler
    elif isinstance(exc, StarletteHTTPException):
        default = http_exception_handler
    else:
        return None
    handlers: Mapping[Any, Any] = getattr(app, "exception_handlers", None) or {}
    for cls in type(exc).__mro__:
        if cls in handlers:
            return handlers[cls]
    return default


def _fallback_request(app: FastAPI | None) -> Request:
    return build_request(ScopeSpec(), app=app, state=lifespan_state(app), required={})


def error_response(
    exc: BaseException, *, app: FastAPI | None = None, request: Request | None = None
) -> Response | None:
    """The response FastAPI sends for ``exc``, or None if it would not send one.

    For ``RequestValidationError`` (422) and ``HTTPException`` (its status,
    ``{"detail": ...}`` and headers): the app's own exception handler when it
    registered one, else FastAPI's default. Any other exception: None.
    """
    app = _config.app_for(app)
    handler = _handler_for(exc, app)
    if handler is None:
        return None
    request = request if request is not None else _fallback_request(app)
    if handler in (http_exception_handler, request_validation_exception_handler):
        # FastAPI's own handlers never await: run them without a loop.
        coro = handler(request, exc)
        try:
            coro.send(None)
        except StopIteration as stop:
            response: Response = stop.value
            return response
        coro.close()
    return OwnerTask("error_response").call(
        functools.partial(_call_handler, handler, request, exc), last=True
    )


async def aerror_response(
    exc: BaseException, *, app: FastAPI | None = None, request: Request | None = None
) -> Response | None:
    """:func:`error_response`, awaitable (the handler runs on the running loop)."""
    app = _config.app_for(app)
    handler = _handler_for(exc, app)
    if handler is None:
        return None
    request = request if request is not None else _fallback_request(app)
    return await _call_handler(handler, request, exc)


async def _call_handler(handler: Any, request: Request, exc: BaseException) -> Response:
    if inspect.iscoroutinefunction(handler):
        response: Response = await handler(request, exc)
    else:
        response = await run_in_thread(handler, request, exc)
    return response


# Modules whose frames run a dependency's teardown, not the dependency itself.
_MACHINERY = (
    "contextlib",
    "asyncio",
    "concurrent",
    "threading",
    "functools",
    "anyio",
    "starlette",
    "fastapi",
    "fastapi_everywhere",
)
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR


def failed_dependency(error: BaseException) -> str:
    """The name of the ``yield`` dependency whose teardown raised ``error``.

    The outermost generator frame of ``error``'s traceback outside the exit
    machinery (the exit stacks, thread and loop hops) is the dependency's
    own: what its teardown called (a ``with`` block, a driver) is deeper.
    """
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if code.co_flags & _GENERATOR_FLAGS and module.partition(".")[0] not in (
            _MACHINERY
        ):
            return f"{module}.{getattr(code, 'co_qualname', code.co_name)}"
        tb = tb.tb_next
    return "unknown"
