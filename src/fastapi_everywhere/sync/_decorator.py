"""The sync decorator: ``with_fastapi_depends`` returning plain sync callables."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI

from .._bridge.drive import NOT_RUN
from .._injected import accepts_scope
from .._lifecycle import swallowed_error, target_caller
from .._target import call_context
from .._typing import sync_wrapper_factory
from ._call import CallSetup

__all__ = ["with_fastapi_depends"]


@sync_wrapper_factory
def with_fastapi_depends(
    func: Callable[..., Any] | None = None,
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Any:
    """Resolve ``func``'s FastAPI dependencies at each call; a plain sync callable.

    Sync or async ``func``. Each call is one FastAPI request's worth: a fresh
    cache, ``yield`` teardown after the call (the call's exception is thrown
    into them), background tasks before request-scoped teardown. Sync
    dependencies (and a sync ``func``) run on the calling thread; async ones
    (and an async ``func``) on the shared loop thread, all of one call in one
    task. ``scope``/``_scope=`` and ``context`` work as in the async API.
    ``timeout`` bounds each wait on the loop thread
    (:class:`~fastapi_everywhere.sync.LoopTimeoutError`).
    """
    if func is None:
        return functools.partial(
            with_fastapi_depends, scope=scope, context=context, app=app, timeout=timeout
        )
    setup = CallSetup(
        func, "with_fastapi_depends", scope=scope, app=app, timeout=timeout
    )
    is_async = setup.target.is_async

    def call(args: tuple[Any, ...], kwargs: dict[str, Any], dynamic: Any) -> Any:
        driver = setup.driver(args, kwargs, dynamic)
        if is_async:
            driver.then = target_caller(func, True, args, kwargs)
        with call_context(context), driver as values:
            if not is_async:
                return func(*args, **kwargs, **values)
            result = driver.then_result
            if result is NOT_RUN:
                result = driver.on_loop(
                    functools.partial(func, *args, **kwargs, **values)
                )
            return result
        raise swallowed_error()  # a yield dependency swallowed the exception

    @functools.wraps(func)
    def wrapper(
        *args: Any, _scope: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        # A context of its own, like one request: what dependencies set is
        # seen by the target, not by the caller afterwards.
        return contextvars.copy_context().run(call, args, kwargs, _scope)

    wrapper.__signature__ = setup.target.public_signature  # type: ignore[attr-defined]
    return accepts_scope(wrapper)
