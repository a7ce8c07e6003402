"""``with_fastapi_depends`` for Django views, and ``resolve``/``aresolve``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponseBase

from .._decorators import _Target, target_of
from .._errors import ScopeError
from ._responses import apply_response, arender_error, render_error
from ._state import RequestState, attach, defer_close, lifespan_to_start, state_of

__all__ = ["FastAPIDependsMixin", "aresolve", "resolve", "with_fastapi_depends"]

F = TypeVar("F", bound=Callable[..., Any])
_OWNER = "fastapi_everywhere.django.with_fastapi_depends"


def _target(func: Callable[..., Any]) -> _Target:
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


def _find_request(args: tuple[Any, ...], name: str) -> HttpRequest:
    for arg in args[:2]:  # (request, ...) or (self, request, ...)
        if isinstance(arg, HttpRequest):
            return arg
    raise TypeError(
        f"{_OWNER}: {name} was called without a Django HttpRequest as its first "
        "argument (or second, after self); decorate Django views only"
    )


def _split(
    target: _Target, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """URL kwargs named like an injected parameter are its ``Path`` value.

    They are left to FastAPI (validated and coerced) instead of passed as is.
    """
    if not kwargs or target.injected.isdisjoint(kwargs):
        return kwargs, kwargs
    passed = {k: v for k, v in kwargs.items() if k not in target.injected}
    return passed, kwargs


def _state(request: HttpRequest) -> RequestState:
    state = state_of(request)
    if state is None:  # no middleware: this view owns the request's scope
        state = attach(request, managed=False)
    return state


def _finish(state: RequestState, result: Any, *, failed: bool = False) -> Any:
    # An error response is FastAPI's exception handler's: what dependencies
    # set on the injected Response (status, cookies) is not applied to it.
    if not failed and isinstance(result, HttpResponseBase):
        assert state.scope is not None
        apply_response(result, state.scope.response)
    if not state.managed:
        defer_close(state, result)
    return result


def with_fastapi_depends(view: F | None = None) -> Any:
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
    """
    if view is None:
        return with_fastapi_depends
    func, bound = _unbind(view)
    target = _target(func)
    if target.is_async:
        wrapper = _async_view(func, bound, target)
    else:
        wrapper = _sync_view(func, bound, target)
    functools.update_wrapper(wrapper, view)
    wrapper.__signature__ = target.public_signature  # type: ignore[attr-defined]
    setattr(wrapper, _MARK, True)
    return wrapper


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
    func: Callable[..., Any], bound: tuple[Any, ...], target: _Target
) -> Callable[..., Any]:
    def view(*args: Any, **kwargs: Any) -> Any:
        request = _find_request(args, target.name)
        state = _state(request)
        if state.scope is None and (lifespan := lifespan_to_start()) is not None:
            lifespan.ensure_started()
        passed, path_params = _split(target, kwargs)
        scope = state.open(path_params)
        try:
            result = scope.call(func, *bound, *args, **passed)
        except BaseException as exc:
            state.close(exc)
            response = render_error(request, scope, exc)
            if response is None:
                raise
            _roll_back_atomic_blocks()
            return _finish(state, response, failed=True)
        return _finish(state, result)

    return view


def _roll_back_atomic_blocks() -> None:
    """An error rendered as a response still rolls the view's transaction back.

    Django rolls ``ATOMIC_REQUESTS`` (or an ``atomic`` around the view) back
    only when the view raises; the error was raised, then turned into a
    response here, so its ORM writes are undone as FastAPI's ``yield``
    sessions undo theirs.
    """
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            transaction.set_rollback(True, using=conn.alias)


def _async_view(
    func: Callable[..., Any], bound: tuple[Any, ...], target: _Target
) -> Callable[..., Any]:
    async def view(*args: Any, **kwargs: Any) -> Any:
        request = _find_request(args, target.name)
        state = _state(request)
        if state.scope is None and (lifespan := lifespan_to_start()) is not None:
            await sync_to_async(lifespan.ensure_started, thread_sensitive=False)()
        passed, path_params = _split(target, kwargs)
        scope = state.open(path_params)
        state.bind_loop()
        try:
            result = await scope.acall(func, *bound, *args, **passed)
        except BaseException as exc:
            await state.aclose(exc)
            response = await arender_error(request, scope, exc)
            if response is None:
                raise
            return _finish(state, response, failed=True)
        return _finish(state, result)

    return view


def _scope_for(request: HttpRequest, what: str) -> Any:
    state = state_of(request)
    if state is None:
        raise ScopeError(
            f"fastapi_everywhere.django.{what}: this request has no FastAPI "
            "request scope; add 'fastapi_everywhere.django.FastAPIDependsMiddleware' "
            "to MIDDLEWARE, or call it from a view decorated with with_fastapi_depends"
        )
    return state.open()


def resolve(request: HttpRequest, dependency: Any) -> Any:
    """Resolve ``dependency`` in ``request``'s FastAPI scope (its shared cache).

    ``dependency`` is a callable, ``Depends(f)`` or ``Annotated[T, Depends(f)]``.
    For sync code during a request: a view body, a helper, a template tag.
    """
    return _scope_for(request, "resolve").resolve(dependency)


async def aresolve(request: HttpRequest, dependency: Any) -> Any:
    """:func:`resolve` for ``async def`` views."""
    scope = _scope_for(request, "aresolve")
    state = state_of(request)
    assert state is not None
    state.bind_loop()
    return await scope.aresolve(dependency)
