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

from collections.abc import Callable
from typing import Any, TypeVar, overload

from flask import has_app_context, has_request_context, request

from .._target import Target, dependency_resolver, target_wrapper
from ._cli import run_command
from ._context import RequestState, command_state, current_state
from ._errors import render_error

__all__ = ["resolve", "with_fastapi_depends"]

F = TypeVar("F", bound=Callable[..., Any])


def _run_in_request(
    target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    found = current_state()
    if kwargs:
        # Flask passes view_args as keyword arguments; those the view declares
        # as FastAPI parameters (Path(ge=1)...) are resolved and validated
        # from path_params instead, like every other request value.
        view_args = request.view_args or {}
        kwargs = {
            k: v
            for k, v in kwargs.items()
            if k not in target.injected or k not in view_args
        }
    found.depth += 1
    try:
        return found.scope.call(target.func, *args, **kwargs)
    except BaseException as exc:
        if found.depth > 1:
            raise  # a nested decorated call: the outermost one ends the request
        return _fail(found, exc)
    finally:
        found.depth -= 1


def _fail(found: RequestState, exc: BaseException) -> Any:
    """End the request with ``exc`` (teardown sees it), then render or re-raise."""
    found.failed = True
    try:
        found.scope.close(exc)
    except BaseException as teardown_error:
        if teardown_error is not exc:
            # A yield dependency turned the error into another (an HTTPException).
            if isinstance(teardown_error, Exception):
                response = render_error(
                    teardown_error, found.state, found.scope.request
                )
                if response is not None:
                    return response
            raise
    if isinstance(exc, Exception):
        response = render_error(exc, found.state, found.scope.request)
        if response is not None:
            return response
    raise exc


@overload
def with_fastapi_depends(func: F) -> F: ...
@overload
def with_fastapi_depends(func: None = None) -> Callable[[F], F]: ...


def with_fastapi_depends(func: Callable[..., Any] | None = None) -> Any:
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
    """
    if func is None:
        return with_fastapi_depends
    target = Target(func, "fastapi_everywhere.flask.with_fastapi_depends")
    return target_wrapper(target, _run)


def _run(target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if has_request_context():
        return _run_in_request(target, args, kwargs)
    return run_command(target, args, kwargs)


@dependency_resolver
def resolve(dependency: Any) -> Any:
    """Resolve one dependency in the current Flask request (or CLI command).

    ``dependency`` is a callable, ``Depends(f)`` or ``Annotated[T, Depends(f)]``.
    It shares the request's cache: ``resolve(CurrentUser)`` in a template
    helper returns the very user the view got, and ``yield`` dependencies
    stay open until the request ends.
    """
    if has_request_context():
        return current_state().scope.resolve(dependency)
    found = command_state() if has_app_context() else None
    if found is None:
        raise RuntimeError(
            f"fastapi_everywhere.flask.resolve({dependency!r}): no Flask request "
            "context and no running command decorated with with_fastapi_depends; "
            "call it from a view, or from a decorated CLI command"
        )
    return found.scope.resolve(dependency)
