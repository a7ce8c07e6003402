"""One FastAPI request per Flask request: the per-request scope on ``g``.

Created on first use (a decorated view or ``resolve``), it holds one
resolution cache shared by everything resolved during the request, and ends
with it:

* the view fails -> the decorator closes it with the exception at once
  (request-scoped ``yield`` dependencies see it, as in FastAPI);
* the view succeeds -> an ``after_this_request`` hook applies the injected
  ``Response`` to the Flask response and closes the scope; when the response
  is streamed or ``BackgroundTasks`` are pending, closing waits for
  ``response.call_on_close`` (after the last chunk was sent);
* anything else (an unhandled error Flask propagates) -> the extension's
  ``teardown_request`` closes it with the error.

``g`` lives in the app context, which a test may keep open across requests,
so each state remembers the request it belongs to and is never reused by
another one.
"""

from __future__ import annotations

from typing import Any

from flask import Response, after_this_request, g, request
from starlette.responses import Response as StarletteResponse

from .._host import RequestScope
from ._extension import FlaskState, state_of
from ._request import asgi_scope, request_body

__all__ = ["RequestState", "apply_response", "current_state", "teardown_request"]

_G_KEY = "_fastapi_everywhere"


class RequestState:
    """The per-request scope and what the adapter knows about its request."""

    __slots__ = ("deferred", "depth", "failed", "owner", "scope", "state")

    def __init__(self, scope: RequestScope, state: FlaskState, owner: Any) -> None:
        self.scope = scope
        self.state = state
        self.owner = owner  # the werkzeug request, or None for a CLI command
        self.depth = 0  # nesting of decorated calls: the outermost ends the request
        self.failed = False
        self.deferred = False

    def __repr__(self) -> str:
        return f"<RequestState {self.scope!r} depth={self.depth}>"


def _current_request() -> Any:
    return request._get_current_object()  # type: ignore[attr-defined]


def existing_state(owner: Any) -> RequestState | None:
    """The state on ``g`` if it belongs to ``owner`` (a request, or None: a command)."""
    found: RequestState | None = g.get(_G_KEY)
    if found is not None and found.owner is owner:
        return found
    return None


def current_state() -> RequestState:
    """The current Flask request's state, created (and hooked) on first use."""
    owner = _current_request()
    found = existing_state(owner)
    if found is not None:
        return found
    state = state_of()
    state.ensure_started()
    scope = RequestScope(
        asgi_scope(owner, owner.view_args),
        body=request_body(owner),
        app=state.fastapi_app,
        name=f"flask request {owner.method} {owner.path}",
        timeout=state.timeout,
    )
    found = RequestState(scope, state, owner)
    setattr(g, _G_KEY, found)
    after_this_request(lambda response: _finish(found, response))
    return found


def push_command_state(state: RequestState) -> Any:
    """Make ``state`` (a CLI command's) current on ``g``; return what it replaced."""
    previous = g.get(_G_KEY)
    setattr(g, _G_KEY, state)
    return previous


def pop_command_state(previous: Any) -> None:
    """Undo :func:`push_command_state`."""
    if previous is None:
        g.pop(_G_KEY, None)
    else:
        setattr(g, _G_KEY, previous)


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


def _finish(found: RequestState, response: Response) -> Response:
    scope = found.scope
    if scope.closed or found.deferred:
        return response  # failed (closed by the view) or already handed over
    if not found.failed and scope.response is not None:
        apply_response(scope.response, response)
    tasks = scope.background_tasks
    if response.is_streamed or (tasks is not None and tasks.tasks):
        # Teardown after the body was sent; background tasks after that too.
        found.deferred = True
        response.call_on_close(scope.close)
    else:
        scope.close()
    return response


def teardown_request(exc: BaseException | None) -> None:
    """Close a scope the response never closed (an unhandled error)."""
    found = existing_state(_current_request())
    if found is not None and not found.deferred:
        found.scope.close(exc)  # idempotent
