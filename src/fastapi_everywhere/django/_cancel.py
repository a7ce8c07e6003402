"""Teardown for a Django request whose task Django cancelled (a client hang-up).

A client that disconnects makes Django's ASGI handler cancel the task running
the middleware chain and the view. When that lands after the view returned
(in a sync middleware's thread hop, say), Django never closes the response,
so the closer ``defer_close`` gave it never runs: the request's dependencies
are then torn down when the task ends, with the cancellation thrown in.

That is Django 5's shape: the chain runs in a task of its own, cancelled on
a hang-up. Django 6 runs it in the request's own task inside a task group
that absorbs the cancellation, so this does not see it (a known gap there).
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

if TYPE_CHECKING:
    from ._state import RequestState

__all__ = ["close_if_cancelled"]

#: Teardowns of cancelled requests still running (asyncio keeps only weak
#: references to tasks).
_closing: set[asyncio.Task[Any]] = set()


def close_if_cancelled(state: RequestState) -> None:
    """Tear ``state`` down if the current task ends cancelled and it is still open."""
    task = asyncio.current_task()
    if task is not None:
        task.add_done_callback(functools.partial(_closed_with_task, state))


def _closed_with_task(state: RequestState, task: asyncio.Task[Any]) -> None:
    scope = state.scope
    if task.cancelled() and scope is not None and not scope.closed:
        close = functools.partial(state.close_logged, asyncio.CancelledError())
        closing = task.get_loop().create_task(
            sync_to_async(close, thread_sensitive=True)()
        )
        _closing.add(closing)
        closing.add_done_callback(_closing.discard)
