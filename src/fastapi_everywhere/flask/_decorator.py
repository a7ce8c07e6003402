"""``with_fastapi_depends`` for Flask routes and commands, and ``resolve``.

In a request the decorated view runs in the request's scope (see
``_context``); in a ``flask`` CLI command, which has an app context but no
request, it runs in a scope of its own with the lifespan started for it
(``_cli``). ``async def`` views become sync views that run their body on the
library's shared loop thread: Flask never sees a coroutine, so it does not
start an asgiref event loop per call, and lifespan-bound async resources
are used on the loop that created them.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    has_app_context,
    has_request_context,
    request,
)
from starlette.responses import Response as StarletteResponse
from typing_extensions import Unpack

from .._engine._compat import TEARDOWN_BEFORE_RESPONSE
from .._route import ROUTE_ATTR, RouteKwargs, RouteOptions, ViewRoute, route_of
from .._target import Target, dependency_resolver, target_wrapper
from ._cli import run_command
from ._context import (
    STATE_KEY,
    RequestState,
    command_state,
    current_state,
    end_request,
    open_state,
)
from ._errors import render_error
from ._state import state_of

__all__ = ["resolve", "with_fastapi_depends"]

F = TypeVar("F", bound=Callable[..., Any])


def _run(
    route: ViewRoute, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """A call of ``route``'s view: in the current Flask request, else (no
    request context) as a CLI command."""
    try:
        owner = request._get_current_object()  # type: ignore[attr-defined]
    except RuntimeError:  # no request context: a CLI command
        return run_command(target, args, kwargs)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if kwargs and not route.target.injected.isdisjoint(kwargs):
        kwargs = _view_kwargs(route, owner, kwargs)
    found: RequestState | None = getattr(owner, STATE_KEY, None)
    if found is None:
        # The request's own view serves it whole. With FastAPI < 0.118
        # teardown runs before the response and its error is Flask's 500
        # (raised from an after-request hook, past the app's error
        # handlers): kept so.
        view = app.view_functions.get(owner.endpoint or "")
        if not TEARDOWN_BEFORE_RESPONSE and (
            # _is_own_view(route, view), without the call
            (
                getattr(view, "__wrapped__", None) is route.target.func
                and getattr(view, ROUTE_ATTR, None) is route
            )
            or _is_own_handler(route, owner, view)
        ):
            context = contextvars.copy_context()
            return context.run(_serve, route, owner, app, args, kwargs, context)
        found = current_state(owner, app)
    found.depth += 1
    try:
        result = found.call_target(route.target, *args, **kwargs)
        if found.depth == 1 and _renders(route, result, owner, app, own=False):
            result = _to_flask(route.render(result, found.response))
        return result
    except BaseException as exc:
        if found.depth > 1:
            raise  # a nested decorated call: the outermost one ends the request
        return _fail(found, exc)
    finally:
        found.depth -= 1


def _serve(
    route: ViewRoute,
    owner: Request,
    app: Flask,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    context: contextvars.Context,
) -> Any:
    """The request's own view, its whole request in ``context``.

    It opens the request's state and ends it as it returns (no
    after-request hook), and everything between, teardown included, runs in
    the one context, as a FastAPI request runs in one task.
    """
    found = open_state(owner, app)
    found.depth = 1
    try:
        result = found.call_here(route.target, args, kwargs)
        if _renders(route, result, owner, app, own=True):
            result = _to_flask(route.render(result, found.response))
        # Flask's make_response, as Flask would call it next (it passes a
        # response of the app's class through unchanged).
        if not isinstance(result, app.response_class):
            result = app.make_response(result)
        return end_request(found, result, context)
    except BaseException as exc:
        return _fail(found, exc)
    finally:
        found.depth = 0


def _view_kwargs(
    route: ViewRoute, owner: Request, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """``kwargs`` less the view args the view declares as FastAPI parameters
    (call it when one of ``kwargs`` is injected).

    Flask passes ``view_args`` as keyword arguments; those the view declares
    as FastAPI parameters (``Path(ge=1)``...) are resolved and validated
    from ``path_params`` instead, like every other request value.
    """
    injected = route.target.injected
    view_args = owner.view_args or {}
    return {k: v for k, v in kwargs.items() if k not in injected or k not in view_args}


def _fail(found: RequestState, exc: BaseException) -> Any:
    """End the request with ``exc`` (teardown sees it), then render or re-raise."""
    found.failed = True
    try:
        found.close(exc)
    except BaseException as teardown_error:
        if teardown_error is not exc:
            # A yield dependency turned the error into another (an HTTPException).
            if isinstance(teardown_error, Exception):
                response = render_error(teardown_error, state_of(), found.request)
                if response is not None:
                    return response
            raise
    if isinstance(exc, Exception):
        response = render_error(exc, state_of(), found.request)
        if response is not None:
            return response
    raise exc


#: What Flask makes a response of by itself (dicts and lists aside).
_FLASK_VALUES = (str, bytes, bytearray, tuple, Response)


def _renders(
    route: ViewRoute, result: Any, owner: Request, app: Flask, *, own: bool
) -> bool:
    """Whether ``result`` of the request's own view is FastAPI's to render.

    Flask's response values pass through, dicts and lists too unless the view
    declares a response model (an option or a return annotation); anything
    else (a pydantic model, a dataclass, None) is rendered as FastAPI does.
    ``own``: the view is known to be the request's own.
    """
    if isinstance(result, _FLASK_VALUES) or callable(result):
        return False
    if isinstance(result, (dict, list)) and not route.declares_model:
        return False
    if hasattr(result, "__next__"):  # a generator: Flask streams it
        return False
    return own or route_of(_endpoint_view(owner, app)) is route


def _is_own_view(route: ViewRoute, view: Any) -> bool:
    """Whether ``view`` is ``route``'s own wrapper (it wraps the view's
    function itself and carries the route).

    Not a wrapper of it (``functools.wraps`` copies the route, and wraps
    our wrapper): code around the view may still use the request's scope,
    or change the response, after the view returned.
    """
    return (
        getattr(view, "__wrapped__", None) is route.target.func
        and route_of(view) is route
    )


def _is_own_handler(route: ViewRoute, owner: Request, view: Any) -> bool:
    """Whether ``view``, which Flask dispatched ``owner`` to, is a
    ``MethodView`` whose handler for ``owner``'s method is ``route``'s own
    wrapper (:func:`_is_own_view`)."""
    return _is_own_view(route, _handler(view, owner))


def _endpoint_view(owner: Request, app: Flask) -> Any:
    """The view ``app`` dispatched ``owner`` to (not a helper)."""
    return _handler(app.view_functions.get(owner.endpoint or ""), owner)


def _handler(view: Any, owner: Request) -> Any:
    """``view``, or for a ``MethodView`` the handler of ``owner``'s method."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: the handler of this method
        method = owner.method.lower()
        view = getattr(view_class, method, None)
        if view is None and method == "head":
            view = getattr(view_class, "get", None)
    return view


def _to_flask(response: tuple[bytes, int] | StarletteResponse) -> Response:
    if isinstance(response, tuple):  # a JSON body: werkzeug sets both headers
        body, status = response
        return Response(body, status=status, content_type="application/json")
    raw, body = response.headers.raw, bytes(response.body)
    if (
        len(raw) == 2
        and raw[0][0] == b"content-length"
        and raw[1][0] == b"content-type"
    ):
        # What a Starlette response of a body says by itself: werkzeug sets
        # both from the body and its type (half the cost of a header list).
        return Response(
            body,
            status=response.status_code,
            content_type=raw[1][1].decode("latin-1"),
        )
    return Response(
        body,
        status=response.status_code,
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw],
    )


@overload
def with_fastapi_depends(func: F, **route: Unpack[RouteKwargs]) -> F: ...
@overload
def with_fastapi_depends(
    func: None = None, **route: Unpack[RouteKwargs]
) -> Callable[[F], F]: ...


def with_fastapi_depends(
    func: Callable[..., Any] | None = None, **route: Unpack[RouteKwargs]
) -> Any:
    """Resolve the FastAPI dependencies of a Flask view or CLI command.

    Parameters FastAPI would inject (``Depends``, ``Security``, ``Header``,
    ``Query``, ``Cookie``, ``Path``, ``Body``, ``Form``, ``Request``,
    ``Response``, ``BackgroundTasks``...) are resolved from the Flask request
    and hidden from the wrapper's signature; every other argument (Flask's
    ``view_args``, ``self`` of a ``MethodView``, click options) passes
    through. Works on routes, blueprints, ``MethodView`` methods, ``async
    def`` routes (run on the shared loop thread) and ``@app.cli.command()``
    functions. ``RequestValidationError`` becomes FastAPI's 422 response and
    ``HTTPException`` its status, detail and headers; other exceptions reach
    Flask's error handling after teardown ran.

    Keyword arguments are FastAPI's route options, with their meaning there
    (``response_model``, ``status_code``, the ``response_model_*`` options,
    ``response_class``; ``tags``, ``summary``, ``description``,
    ``deprecated``, ``include_in_schema``, ``responses``, ``operation_id``,
    ``name`` for the OpenAPI document). A view may return what a FastAPI
    route returns (a pydantic model, a dataclass, a dict or list): FastAPI's
    own serialiser renders it, validated against the response model (the
    return annotation unless ``response_model`` is given), into a JSON
    response. Flask's own response values (strings, tuples, responses, and
    dicts or lists when no response model is declared) pass through.

    .. versionchanged:: 0.2 route options and FastAPI return values.
    """
    if func is None:
        return lambda given: with_fastapi_depends(given, **route)
    target = Target(func, _OWNER)
    found = ViewRoute(target, RouteOptions.given(_OWNER, route), _OWNER)
    wrapper = target_wrapper(target, functools.partial(_run, found))
    setattr(wrapper, ROUTE_ATTR, found)
    return wrapper


_OWNER = "fastapi_everywhere.flask.with_fastapi_depends"


@dependency_resolver
def resolve(dependency: Any) -> Any:
    """Resolve one dependency in the current Flask request (or CLI command).

    ``dependency`` is a callable, ``Depends(f)`` or ``Annotated[T, Depends(f)]``.
    It shares the request's cache: ``resolve(CurrentUser)`` in a template
    helper returns the very user the view got, and ``yield`` dependencies
    stay open until the request ends.
    """
    if has_request_context():
        return current_state().resolve(dependency)
    found = command_state() if has_app_context() else None
    if found is None:
        raise RuntimeError(
            f"fastapi_everywhere.flask.resolve({dependency!r}): no Flask request "
            "context and no running command decorated with with_fastapi_depends; "
            "call it from a view, or from a decorated CLI command"
        )
    return found.resolve(dependency)
