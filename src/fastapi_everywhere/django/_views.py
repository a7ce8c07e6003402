"""``with_fastapi_depends`` for Django views, and ``resolve``/``aresolve``."""

from __future__ import annotations

import asyncio
import functools
import inspect
import types
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, overload

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponseBase
from typing_extensions import Unpack

from .._errors import ScopeError
from .._host import ProcessLifespan, RequestScope
from .._route import ROUTE_ATTR, RouteKwargs, RouteOptions, ViewRoute
from .._target import Target, target_of
from ._cancel import close_if_cancelled
from ._drf import api_view_function, split_request, wrap_api_view
from ._responses import (
    apply_response,
    arender_error,
    render_error,
    roll_back_atomic_blocks,
    to_django,
)
from ._state import RequestState, attach, defer_close, lifespan_to_start, state_of

__all__ = [
    "AsyncView",
    "FastAPIDependsMixin",
    "aresolve",
    "resolve",
    "with_fastapi_depends",
]

# For type checkers: the view keeps its parameters (``P``) and result (``R``)
# after the ``request`` (or, on a method, ``self``) it takes first.
First = TypeVar("First")
P = ParamSpec("P")
R = TypeVar("R")
_OWNER = "fastapi_everywhere.django.with_fastapi_depends"


def _target(func: Callable[..., Any]) -> Target:
    return target_of(func, _OWNER)


def _unbind(view: Callable[..., Any]) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """``method_decorator`` hands us ``partial(bound_method)``: use the function.

    Its target then stays one cached function instead of a new partial per
    request; the instance is passed back as the first argument.
    """
    if (
        isinstance(view, functools.partial)
        and not view.args
        and not view.keywords
        and inspect.ismethod(view.func)
    ):
        return view.func.__func__, (view.func.__self__,)
    return view, ()


def _find_request(args: tuple[Any, ...], name: str) -> tuple[HttpRequest, Any]:
    """``(HttpRequest, the view's request)``: the same, or DRF's ``Request``."""
    for arg in args[:2]:  # (request, ...) or (self, request, ...)
        found = split_request(arg)
        if found is not None:
            return found
    raise TypeError(
        f"{_OWNER}: {name} was called without a Django HttpRequest (or a Django "
        "REST framework Request) as its first argument (or second, after self); "
        "decorate Django views only"
    )


def _split(
    target: Target, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """URL kwargs named like an injected parameter are its ``Path`` value.

    They are left to FastAPI (validated and coerced) instead of passed as is.
    """
    if not kwargs or target.injected.isdisjoint(kwargs):
        return kwargs, kwargs
    passed = {k: v for k, v in kwargs.items() if k not in target.injected}
    return passed, kwargs


def _own_state(
    request: HttpRequest, state: RequestState | None
) -> tuple[RequestState, ProcessLifespan | None]:
    """An unmanaged view's state (attached if none), the lifespan it starts."""
    if state is None:  # no middleware: this view owns the request's scope
        state = attach(request, managed=False)
    return state, None if state.scope is not None else lifespan_to_start(state)


def _finish(state: RequestState, result: Any, *, failed: bool = False) -> Any:
    # An error response is FastAPI's exception handler's: what dependencies
    # set on the injected Response (status, cookies) is not applied to it.
    if not failed and isinstance(result, HttpResponseBase):
        assert state.scope is not None
        apply_response(result, state.scope.response)
    if not state.managed:
        defer_close(state, result)
    return result


class ViewDecorator(Protocol):
    """``with_fastapi_depends(**route)``: a view to the same-typed view."""

    def __call__(
        self, view: Callable[Concatenate[First, P], R], /
    ) -> Callable[Concatenate[First, P], R]: ...


@overload
def with_fastapi_depends(
    view: Callable[Concatenate[First, P], R], **route: Unpack[RouteKwargs]
) -> Callable[Concatenate[First, P], R]: ...
@overload
def with_fastapi_depends(
    view: None = None, **route: Unpack[RouteKwargs]
) -> ViewDecorator: ...


def with_fastapi_depends(
    view: Callable[..., Any] | None = None, **route: Unpack[RouteKwargs]
) -> Any:
    """Resolve a Django view's FastAPI dependencies from the Django request.

    Works on function views, class-based view methods (directly or through
    ``method_decorator``) and ``async def`` views. Parameters FastAPI would
    inject (``Depends``, ``Security``, ``Header``/``Cookie``/``Query``/
    ``Path``/``Body``/``Form``, ``Request``, ``Response``, ``BackgroundTasks``)
    are resolved and hidden from the wrapper's signature; ``request`` and the
    URL kwargs pass through, and the URL kwargs are also the ``Path`` params.

    ``HTTPException`` and validation errors become FastAPI's responses (after
    teardown, which sees the exception); other exceptions propagate to Django
    after teardown. Dependencies share one cache per Django request and are
    torn down when the response is closed.

    Keyword arguments are FastAPI's route options, with their meaning there
    (``response_model``, ``status_code``, ``response_model_exclude_unset``
    and the other ``response_model_*``, ``response_class``; ``tags``,
    ``summary``, ``description``, ``deprecated``, ``include_in_schema``,
    ``responses``, ``operation_id``, ``name`` for the OpenAPI document, and
    ``methods`` when no ``require_http_methods`` says them). A view may
    return what a FastAPI route returns (a pydantic model, a dataclass, a
    dict or list): it is rendered by FastAPI's own serialiser, validated
    against the response model (the return annotation unless
    ``response_model`` is given), into a JSON ``HttpResponse``. A Django
    response passes through untouched.

    .. versionchanged:: 0.2 route options and FastAPI return values.
    """
    if view is None:
        return lambda given: with_fastapi_depends(given, **route)
    inner = api_view_function(view)
    if inner is not None:  # above @api_view: resolve inside DRF's dispatch
        return wrap_api_view(view, with_fastapi_depends(inner, **route))
    func, bound = _unbind(view)
    target = _target(func)
    options = RouteOptions.given(_OWNER, route)
    found = ViewRoute(target, options, _OWNER)
    if not target.is_async:
        return _dress(_sync_view(func, bound, found), view, found)
    async_view = _dress(_async_view(func, bound, found), view, found)
    sync_view = _sync_view(func, bound, found)
    return _dress(AsyncView(sync_view, async_view), view, found)


def _dress(wrapper: Any, view: Callable[..., Any], route: ViewRoute) -> Any:
    functools.update_wrapper(wrapper, view)
    wrapper.__signature__ = route.target.public_signature
    setattr(wrapper, _MARK, True)
    setattr(wrapper, ROUTE_ATTR, route)
    return wrapper


def _respond(route: ViewRoute, scope: RequestScope, result: Any) -> Any:
    """A FastAPI return value rendered as FastAPI renders it; Django's as is."""
    if isinstance(result, HttpResponseBase):
        return result
    return to_django(route.render(result, scope.response))


_MARK = "__fastapi_everywhere_view__"


class FastAPIDependsMixin:
    """Class-based views: every HTTP method handler gets its dependencies.

    Each handler the class defines for a name in ``http_method_names``
    (``get``, ``post``...) is wrapped as if decorated with
    :func:`with_fastapi_depends`; handlers decorated already are left alone.
    Put it first among the bases: ``class NotesView(FastAPIDependsMixin, View)``.
    """

    http_method_names: list[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in getattr(cls, "http_method_names", ()):
            handler = cls.__dict__.get(name)
            if callable(handler) and not getattr(handler, _MARK, False):
                setattr(cls, name, with_fastapi_depends(handler))


def _sync_view(
    func: Callable[..., Any], bound: tuple[Any, ...], route: ViewRoute
) -> Callable[..., Any]:
    target = route.target

    def view(*args: Any, **kwargs: Any) -> Any:
        # The usual call (a request first, the middleware's state) inline.
        host = request = args[0] if args else None
        if not isinstance(request, HttpRequest):
            request, host = _find_request(args, target.name)
        state = state_of(request)
        if state is None or not state.managed:
            state, lifespan = _own_state(request, state)
            if lifespan is not None:
                lifespan.ensure_started()
        passed = path_params = kwargs
        if kwargs and not target.injected.isdisjoint(kwargs):
            passed, path_params = _split(target, kwargs)
        scope = state.open(request, path_params, host)
        try:
            result = scope.call_target(target, *bound, *args, **passed)
            if not isinstance(result, HttpResponseBase):
                result = _respond(route, scope, result)
        except BaseException as exc:
            state.close(exc)
            response = render_error(request, scope, exc, host)
            if response is None:
                raise
            roll_back_atomic_blocks()
            return _finish(state, response, failed=True)
        if not state.managed:  # else the middleware, around the whole response
            state.respond(result)
            return _finish(state, result)
        if scope.response is not None:  # _finish's one step under the middleware
            apply_response(result, scope.response)
        return result

    return view


def _async_view(
    func: Callable[..., Any], bound: tuple[Any, ...], route: ViewRoute
) -> Callable[..., Any]:
    target = route.target

    async def view(*args: Any, **kwargs: Any) -> Any:
        request, host = _find_request(args, target.name)
        state = state_of(request)
        if state is None or not state.managed:
            state, lifespan = _own_state(request, state)
            if lifespan is not None:
                await sync_to_async(lifespan.ensure_started, thread_sensitive=False)()
        passed, path_params = _split(target, kwargs)
        scope = state.open(request, path_params, host)
        state.bind_loop()
        if not state.managed:  # else the middleware watches the task
            close_if_cancelled(state)
        try:
            result = await scope.acall(func, *bound, *args, **passed)
            result = _respond(route, scope, result)
        except BaseException as exc:
            await state.aclose(exc)
            response = await arender_error(request, scope, exc, host)
            if response is None:
                raise
            return _finish(state, response, failed=True)
        if not state.managed:
            await state.arespond(result)
        return _finish(state, result)

    return view


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _coroutine_marks() -> tuple[tuple[str, Any], ...]:
    """The attributes ``iscoroutinefunction`` checks on a callable object.

    ``asyncio``'s ``_is_coroutine`` (Django 4.2, asgiref on Python < 3.12)
    and ``inspect.markcoroutinefunction``'s mark (Python >= 3.12).
    """
    marks: list[tuple[str, Any]] = []
    legacy = getattr(asyncio.coroutines, "_is_coroutine", None)
    if legacy is not None:
        marks.append(("_is_coroutine", legacy))
    mark_function = getattr(inspect, "markcoroutinefunction", None)
    if mark_function is not None:

        def probe() -> None: ...

        mark_function(probe)
        marks.append(
            ("_is_coroutine_marker", getattr(probe, "_is_coroutine_marker", None))
        )
    return tuple(marks)


_MARKS = dict(_coroutine_marks())


class AsyncView:
    """A decorated ``async def`` view: async under ASGI, sync under WSGI.

    Django runs an async view from its sync handler (WSGI, runserver, the
    test ``Client``) through ``async_to_sync``: a new event loop in a new
    thread for every request, only to hop from there to the shared loop
    thread where the body runs anyway. So the view tells Django what it is
    in the calling thread: a coroutine function inside a running event loop
    (the ASGI handler awaits it), a plain function outside one (the WSGI
    handler calls it; sync dependencies run on the request thread, the body
    in the request's task on the shared loop, one round trip). Called
    directly, it is awaitable inside an event loop and returns the response
    outside one. As a class attribute (a class-based view's handler) it is
    the plain coroutine function.
    """

    def __init__(
        self, sync_view: Callable[..., Any], async_view: Callable[..., Any]
    ) -> None:
        self._sync_view = sync_view
        self._async_view = async_view

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _in_event_loop():
            return self._async_view(*args, **kwargs)
        return self._sync_view(*args, **kwargs)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        # A class-based view's handler is the plain coroutine function: Django
        # checks at import time that a class's handlers are all sync or all
        # async, and runs an async class through async_to_sync as a whole.
        if instance is None:
            return self._async_view
        return types.MethodType(self._async_view, instance)

    def __repr__(self) -> str:
        name = getattr(self, "__qualname__", "?")
        return f"<fastapi_everywhere async view {name}>"


def _mark(value: Any) -> property:
    # iscoroutinefunction() reads it: set only in a running loop. Not a
    # __getattr__, so Django's misses per request (view_class...) stay cheap.
    return property(lambda view: value if _in_event_loop() else None)


for _name, _value in _MARKS.items():
    setattr(AsyncView, _name, _mark(_value))


def _scope_for(request: HttpRequest, what: str) -> Any:
    found = split_request(request)
    state = None if found is None else state_of(found[0])
    if found is None or state is None:
        raise ScopeError(
            f"fastapi_everywhere.django.{what}: this request has no FastAPI "
            "request scope; add 'fastapi_everywhere.django.FastAPIDependsMiddleware' "
            "to MIDDLEWARE, or call it from a view decorated with with_fastapi_depends"
        )
    http, host = found
    return state.open(http, host=host)


def resolve(request: HttpRequest, dependency: Any) -> Any:
    """Resolve ``dependency`` in ``request``'s FastAPI scope (its shared cache).

    ``dependency`` is a callable, ``Depends(f)`` or ``Annotated[T, Depends(f)]``.
    For sync code during a request: a view body, a helper, a template tag.
    """
    return _scope_for(request, "resolve").resolve(dependency)


async def aresolve(request: HttpRequest, dependency: Any) -> Any:
    """:func:`resolve` for ``async def`` views."""
    scope = _scope_for(request, "aresolve")
    found = split_request(request)
    state = None if found is None else state_of(found[0])
    assert state is not None
    state.bind_loop()
    return await scope.aresolve(dependency)
