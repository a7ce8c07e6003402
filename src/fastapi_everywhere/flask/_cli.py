"""Decorated functions outside a request: ``flask`` CLI commands and plain calls.

A command (``@app.cli.command()`` gives it an app context) is one FastAPI
operation: its dependencies resolve in a scope of their own with an empty
HTTP request, are torn down when it returns (its exception thrown in), and
``resolve`` inside it shares that scope. The lifespan of the app's FastAPI
app is started for the command and shut down after it, unless it was
running already (then it belongs to someone else, e.g. a test).
"""

from __future__ import annotations

from typing import Any

from flask import has_app_context

from .._target import Target
from ._state import state_of

__all__ = ["COMMAND_SCOPE", "run_command"]

#: The HTTP scope of a command: no headers, no query, no body.
COMMAND_SCOPE: dict[str, Any] = {"type": "http", "method": "GET", "path": "/"}


def run_command(target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Call ``target`` with its dependencies, as one operation with a lifespan."""
    from ._context import (
        RequestState,
        command_state,
        pop_command_state,
        push_command_state,
    )

    outer = command_state() if has_app_context() else None
    if outer is not None:
        # A decorated function called by a running command: its operation,
        # its cache (as nested calls share a request's).
        return outer.call(target.func, *args, **kwargs)
    state = state_of()
    lifespan = state.lifespan
    started_here = lifespan is not None and not lifespan.running
    state.ensure_started()
    try:
        scope = RequestState(
            COMMAND_SCOPE,
            app=state.fastapi_app,
            name=f"flask command {target.name}",
            timeout=state.timeout,
        )
        in_app = has_app_context()
        previous = push_command_state(scope) if in_app else None
        try:
            result = scope.call(target.func, *args, **kwargs)
        except BaseException as exc:
            scope.close(exc)  # raises a teardown error instead, if any
            raise
        else:
            scope.close()
        finally:
            if in_app:
                pop_command_state(previous)
        return result
    finally:
        if started_here:
            state.close_lifespan()
