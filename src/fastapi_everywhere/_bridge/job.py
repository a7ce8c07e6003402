"""The steps an :class:`~fastapi_everywhere._bridge.owner.OwnerTask` runs.

A step is ``await fn()`` in the owner task; only the way its caller learns
the outcome differs: a caller on another thread sleeps on a plain lock
(:class:`ThreadJob`, its context variables travelling both ways), a caller
on the loop awaits a future (:class:`LoopJob`).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from . import loop as _loop

__all__ = ["Inbox", "Job", "LoopJob", "ThreadJob", "restore_context"]

_allocate_lock = threading.Lock


def restore_context(context: contextvars.Context) -> None:
    """Set every variable of ``context`` that differs in the current one."""
    skip = _loop.NON_PORTABLE
    for var, value in context.items():
        if var in skip:
            continue
        try:
            if var.get() is value:
                continue
        except LookupError:
            pass
        var.set(value)


class Job:
    """One step for the owner task, and where it stands."""

    __slots__ = ("cancelled", "fn", "last", "running", "seen", "settled")

    #: A ``BaseException`` that is no ``Exception`` (``KeyboardInterrupt``)
    #: raised by the step also ends the owner task.
    propagates = False

    def __init__(self, fn: Callable[[], Awaitable[Any]], last: bool) -> None:
        self.fn = fn
        self.last = last  # the task ends after this step
        self.running = False
        self.seen = False  # reached the loop thread
        self.cancelled = False
        self.settled = False

    def begin(self) -> None:
        """Prepare the owner task, just before the step runs in it."""

    def settle(self, result: Any, error: BaseException | None) -> None:
        """Hand the outcome to the caller (once)."""
        raise NotImplementedError


class ThreadJob(Job):
    """A step from another thread: the caller waits on ``done``."""

    __slots__ = ("context", "done", "error", "result")

    def __init__(self, fn: Callable[[], Awaitable[Any]], last: bool) -> None:
        # The fields set here, not through Job.__init__: one call less per step.
        self.fn, self.last = fn, last
        self.running = self.seen = self.cancelled = self.settled = False
        self.context = contextvars.copy_context()
        self.done = _allocate_lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None

    def begin(self) -> None:
        restore_context(self.context)  # the caller's values, in the task

    def settle(self, result: Any, error: BaseException | None) -> None:
        self.result, self.error = result, error
        self.context = contextvars.copy_context()  # the task's, for the caller
        self.settled = True
        self.done.release()


class LoopJob(Job):
    """A step from a task on the owner's loop: the caller awaits ``future``."""

    __slots__ = ("future",)

    # The caller shares the loop: an interrupt must reach it as if awaited.
    propagates = True

    def __init__(
        self, fn: Callable[[], Awaitable[Any]], future: asyncio.Future[Any]
    ) -> None:
        super().__init__(fn, False)
        self.future = future
        self.seen = True

    def settle(self, result: Any, error: BaseException | None) -> None:
        self.settled = True
        future = self.future
        if future.done():  # the caller was cancelled
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


class Inbox:
    """The steps waiting for one run of an owner task; ``None`` ends it."""

    __slots__ = ("jobs", "waiter")

    def __init__(self) -> None:
        self.jobs: deque[Job | None] = deque()
        self.waiter: asyncio.Future[None] | None = None

    def put(self, job: Job | None) -> None:
        """Queue ``job`` and wake the task if it waits (on the loop thread)."""
        self.jobs.append(job)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
