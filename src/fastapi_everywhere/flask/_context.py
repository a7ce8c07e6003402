"""One FastAPI request per Flask request: its data for the engine, its scope.

:class:`FlaskSource` translates the werkzeug request into what FastAPI's
parameters read (headers, the ASGI scope, the body). The per-request scope is
created on first use (a decorated view or ``resolve``), it holds one
resolution cache shared by everything resolved during the request, and ends
with it:

* the view fails -> the decorator closes it with the exception at once
  (request-scoped ``yield`` dependencies see it, as in FastAPI);
* the view succeeds -> the injected ``Response`` is applied to the Flask
  response and the scope closed (:func:`end_request`): by the request's own
  decorated view as it returns when it opened the scope, else by an
  ``after_this_request`` hook; either way before the app's ``after_request``
  functions. When the response is streamed or ``BackgroundTasks`` are
  pending, closing waits for ``response.call_on_close`` (after the last
  chunk was sent);
* anything else (an unhandled error Flask propagates) -> a
  ``teardown_request`` function closes it with the error. It is registered
  on the app the first time a scope is opened anywhere but by the request's
  own decorated view, which closes its scope on every way out: a request
  served by its decorated view pays for no hook.

The state lives on the werkzeug request object itself, not on ``g``: ``g``
belongs to the app context, which a test (or a ``with app.app_context()``
block) may keep open across requests, and a scope must never outlive its
request. A CLI command, which has no request, keeps its state on ``g``.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, after_this_request, current_app, g, request
from flask import Request as FlaskRequest
from starlette.datastructures import Headers
from starlette.responses import Response as StarletteResponse
from werkzeug.wrappers import Request

from .._engine._compat import TEARDOWN_BEFORE_RESPONSE
from .._host import RequestScope
from .._source import EnvironHeaders, HostSource, address, environ_headers
from ._state import state_of

__all__ = [
    "STATE_KEY",
    "RequestState",
    "apply_response",
    "command_state",
    "current_request",
    "current_state",
    "end_request",
    "open_state",
    "request_state",
    "teardown_request",
]

log = logging.getLogger("fastapi_everywhere.flask")

#: The attribute of a werkzeug request that holds its :class:`RequestState`.
STATE_KEY = "_fastapi_everywhere"


# -- the request's data, as the engine reads it ---------------------------------


def _wsgi_str(value: str) -> str:
    """A PEP 3333 native string (bytes as latin-1) decoded as the UTF-8 it is."""
    return value.encode("latin-1").decode("utf-8", "replace")


def _raw_path(environ: Mapping[str, Any], path: str) -> bytes:
    # gunicorn sets RAW_URI, werkzeug's server REQUEST_URI: the path as sent.
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if uri:
        return str(uri).split("?", 1)[0].encode("latin-1")
    return quote(path).encode("latin-1")


class FlaskSource(HostSource[Request]):
    """A werkzeug request's data for the engine; ``path_params`` are its ``view_args``."""

    __slots__ = ()

    def asgi_scope(self) -> dict[str, Any]:
        """The request's ASGI HTTP scope (the base class adds ``view_args``)."""
        request = self.http
        environ = request.environ
        root_path = _wsgi_str(environ.get("SCRIPT_NAME", ""))
        path = root_path + _wsgi_str(environ.get("PATH_INFO", "") or "/")
        protocol = str(environ.get("SERVER_PROTOCOL", "HTTP/1.1"))
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": protocol.partition("/")[2] or "1.1",
            "method": request.method,
            "scheme": environ.get("wsgi.url_scheme", "http"),
            "path": path,
            "raw_path": _raw_path(environ, path),
            "root_path": root_path,
            "query_string": str(environ.get("QUERY_STRING", "")).encode("latin-1"),
            "headers": self.raw_headers(),
            "client": address(environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT")),
            "server": address(environ.get("SERVER_NAME"), environ.get("SERVER_PORT")),
        }

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The ASGI header list (the scope's ``headers``)."""
        request = self.http
        return environ_headers(request.environ)

    def header_map(self) -> Headers:
        """Read from the environ as needed, not all rebuilt."""
        return EnvironHeaders(self.http.environ)

    def read_body(self) -> bytes | None:
        """The raw body, cached on the request so the view can still read it.

        ``get_data(cache=True)`` keeps the bytes; werkzeug parses ``request.form``
        and ``request.get_json()`` from that cache afterwards. A request with no
        ``Content-Length`` and no chunked body has none (nothing to read).
        """
        request = self.http
        environ = request.environ
        if not environ.get("CONTENT_LENGTH") and "chunked" not in environ.get(
            "HTTP_TRANSFER_ENCODING", ""
        ):
            return b""
        return request.get_data(cache=True)


# -- the request's FastAPI side ------------------------------------------------


class RequestState(RequestScope):
    """One Flask request's FastAPI side: its request scope itself, plus what
    the adapter tracks about it (one object per request, not two).

    A CLI command has one too (with a ready ASGI scope as its source).
    """

    # Per-request flags at their start: class defaults, not set per request.
    # Built by RequestScope.__init__ alone (the extension's timeout given as
    # its ``timeout``): one call per request.
    depth = 0  # nesting of decorated calls: the outermost ends the request
    failed = False
    deferred = False
    logger = log

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, depth={self.depth}>"


def current_request() -> FlaskRequest:
    """The current Flask request object (not the proxy)."""
    found: FlaskRequest = request._get_current_object()  # type: ignore[attr-defined]
    return found


def command_state() -> RequestState | None:
    """The running CLI command's state (call in an app context)."""
    found: RequestState | None = g.get(STATE_KEY)
    return found


def current_state(
    owner: FlaskRequest | None = None, app: Flask | None = None
) -> RequestState:
    """The current Flask request's state, created (and hooked) on first use.

    ``owner`` is the current request (:func:`current_request`) and ``app``
    the current Flask app, if the caller has them.
    """
    if owner is None:
        owner = current_request()
    found = request_state(owner)
    if found is not None:
        return found
    found = open_state(owner, app)
    after_this_request(lambda response: end_request(found, response))
    _hook_teardown(app)
    return found


_hooking = threading.Lock()


def _hook_teardown(app: Flask | None) -> None:
    """Have ``app`` close, at its request teardown, a scope no response closed.

    Registered on first need, past Flask's set-up phase check: its
    ``teardown_request_funcs`` are read at each request's teardown.
    """
    flask_app: Flask = (
        current_app._get_current_object()  # type: ignore[attr-defined]
        if app is None
        else app
    )
    funcs = flask_app.teardown_request_funcs.get(None)
    if funcs is not None and teardown_request in funcs:
        return
    with _hooking:
        funcs = flask_app.teardown_request_funcs.setdefault(None, [])
        if teardown_request not in funcs:
            funcs.append(teardown_request)


def request_state(owner: FlaskRequest) -> RequestState | None:
    """The state of ``owner`` (a Flask request) if it was opened, else None."""
    found: RequestState | None = getattr(owner, STATE_KEY, None)
    return found


def open_state(owner: FlaskRequest, app: Flask | None = None) -> RequestState:
    """Open ``owner``'s state; whoever opens it ends the request.

    :func:`current_state` has an ``after_this_request`` hook call
    :func:`end_request`; the request's own decorated view calls it itself.
    """
    state = state_of(app)
    found = RequestState(
        FlaskSource(
            owner,
            app=state.started_app(),
            path_params=owner.view_args,
            environ=owner.environ,
        ),
        name=f"flask request {owner.method} {owner.path}",
        timeout=state.timeout,
    )
    setattr(owner, STATE_KEY, found)
    return found


def push_command_state(state: RequestState) -> Any:
    """Make ``state`` (a CLI command's) current on ``g``; return what it replaced."""
    previous = g.get(STATE_KEY)
    setattr(g, STATE_KEY, state)
    return previous


def pop_command_state(previous: Any) -> None:
    """Undo :func:`push_command_state`."""
    if previous is None:
        g.pop(STATE_KEY, None)
    else:
        setattr(g, STATE_KEY, previous)


def apply_response(sub: StarletteResponse, response: Response) -> None:
    """Apply an injected ``Response``'s status and headers, as FastAPI does.

    FastAPI appends the raw headers (``set-cookie`` included) to the
    response it sends and takes the status if one was set.
    """
    status: int | None = sub.status_code
    if status is not None:
        response.status_code = status
    for key, value in sub.headers.raw:
        response.headers.add(key.decode("latin-1"), value.decode("latin-1"))


def end_request(
    found: RequestState,
    response: Response,
    context: contextvars.Context | None = None,
) -> Response:
    """End the request with its Flask ``response`` (before the app's ``after_request``).

    Applies the injected ``Response``, then closes the scope, or, when the
    body is streamed or background tasks are pending, has
    ``response.call_on_close`` close it after the body was sent, in
    ``context`` (the request's, when it has one of its own). A request the
    view failed was closed already: ``response`` is returned untouched.
    """
    if found.closed or found.deferred:
        return response  # failed (closed by the view) or already handed over
    if not found.failed and found.response is not None:
        apply_response(found.response, response)
    if TEARDOWN_BEFORE_RESPONSE:  # FastAPI < 0.118 tears down here: a 500
        found.respond(streaming=response.is_streamed)
    tasks = found.background_tasks
    if response.is_streamed or (tasks is not None and tasks.tasks):
        # Teardown after the body was sent; background tasks after that too.
        found.deferred = True
        if context is None:
            response.call_on_close(functools.partial(_close_after_response, found))
        else:  # the request's own context: its vars, reset by their tokens
            response.call_on_close(functools.partial(context.run, found.close_sent))
    else:
        # The status is final: a teardown error is logged, as FastAPI does.
        found.close_sent()
    return response


def _close_after_response(scope: RequestScope) -> None:
    # The server thread, after the request context was popped: run in a copy
    # of its context so values the request's loop task hands back on the way
    # out (Flask's request context among them) do not stick to the thread.
    contextvars.copy_context().run(scope.close_sent)


def teardown_request(exc: BaseException | None) -> None:
    """Close a scope the response never closed (an unhandled error)."""
    found: RequestState | None = getattr(current_request(), STATE_KEY, None)
    # Closed already, as every request the view finished is: one close.
    if found is not None and not found.deferred and not found.closed:
        found.close(exc)
