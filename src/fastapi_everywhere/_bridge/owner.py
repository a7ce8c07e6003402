"""The asyncio task that owns a set of exits: everything set up in it is torn down in it.

Async ``yield`` dependencies must be entered and exited in the same asyncio
task (anyio cancel scopes, ``httpx.AsyncClient``; FastAPI >= 0.162 shields
teardown with a cancel scope on the request stack). Every long-lived owner
of dependencies therefore runs its steps in one task of its own:

* :class:`TaskOwner` for callers on the same event loop (a container, a
  deps stack, an async host request): ``await owner.run(fn)``;
* :class:`OwnerTask` for callers on other threads (the sync API, a WSGI
  request): ``owner.call(fn)`` hands the step to the loop thread.

A cross-thread step costs one round trip, made as light as it gets: the
caller hands the job over with ``call_soon_threadsafe`` and sleeps on a plain
lock that the task releases (no ``concurrent.futures`` machinery, no task per
step). Context variables travel both ways with each job, as in asgiref: the
caller's values are applied in the task before the step, the task's after it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any, Generic, TypeVar

from .._errors import LoopThreadError
from . import loop as _loop

T = TypeVar("T")

_STOP: Any = object()

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


class _ThreadJob:
    """One step sent to the owner task, and what came back."""

    __slots__ = (
        "cancel_requested",
        "context",
        "done",
        "error",
        "fn",
        "last",
        "result",
        "running",
        "seen",
    )

    def __init__(self, fn: Callable[[], Awaitable[Any]], last: bool) -> None:
        self.fn = fn
        self.last = last
        self.context = contextvars.copy_context()
        self.done = _allocate_lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None
        self.running = False
        self.seen = False  # reached the loop thread
        self.cancel_requested = False


class OwnerTask:
    """One task on the loop thread running the async steps of one owner.

    Driven from one thread at a time (the owner serialises its callers). The
    task is created by the first :meth:`call` and ends after a call with
    ``last=True`` (or :meth:`finish`).
    """

    __slots__ = (
        "_ended",
        "_inbox",
        "_lt",
        "_task",
        "broken",
        "name",
        "timeout",
    )

    def __init__(self, name: str, timeout: float | None = None) -> None:
        self.name = name
        self.timeout = timeout
        self.broken: str | None = None
        self._lt: Any = None
        self._task: asyncio.Task[None] | None = None
        self._inbox: asyncio.Future[_ThreadJob | None] | None = None
        self._ended = False

    @property
    def started(self) -> bool:
        """Whether a task is running for this owner."""
        return self._task is not None and not self._ended

    def __repr__(self) -> str:
        state = "broken" if self.broken else "started" if self.started else "new"
        return f"<OwnerTask {self.name} {state}>"

    # -- the calling thread ------------------------------------------------

    def call(self, fn: Callable[[], Awaitable[T]], *, last: bool = False) -> T:
        """Run ``await fn()`` in the owner task and return its result.

        ``KeyboardInterrupt`` or any exception while waiting (or the
        timeout) cancels the step on the loop and waits for it to stop, so
        the owner is idle again and teardown can follow.
        """
        if self.broken is not None:
            raise LoopThreadError(f"{self.name}: {self.broken}")
        _loop.check_not_loop_thread(self.name)
        lt = self._lt
        if lt is None:
            lt = self._lt = _loop.loop_thread()
        elif not _loop.is_current(lt):
            self.broken = (
                "the event-loop thread its task ran on is gone (it died, or "
                "this is a forked child)"
            )
            raise LoopThreadError(f"{self.name}: {self.broken}")
        job = _ThreadJob(fn, last)
        deadline = _loop.deadline_after(self.timeout)
        try:
            # An interrupt may land anywhere from here on (even inside
            # call_soon_threadsafe, whose socket write lets the loop run the
            # whole step): _abandon copes with a job the loop never saw.
            if self._task is None or self._ended:  # (re)start: nothing lives in it
                self._task, self._ended = None, False
                lt.loop.call_soon_threadsafe(self._start, job)
            else:
                lt.loop.call_soon_threadsafe(self._deliver, job)
            done = _loop.wait_for(job.done, deadline, lt.thread)
        except RuntimeError as e:
            if lt.loop.is_closed():  # closed under us: nothing runs there
                self.broken = "the event loop was closed"
                raise LoopThreadError(f"{self.name}: {self.broken}") from e
            self._abandon(job, lt)
            raise
        except BaseException:
            self._abandon(job, lt)
            raise
        if not done:
            self._abandon(job, lt)
            raise _loop.LoopTimeoutError(
                f"{self.name}: async work did not finish in time (timeout="
                f"{self.timeout} s, or the interpreter-exit limit); it was cancelled"
            )
        if job.last:
            self._ended = True
        restore_context(job.context)
        error = job.error
        if error is not None:
            job.error = None  # no cycle through the traceback
            if isinstance(error, asyncio.CancelledError):
                raise LoopThreadError(
                    f"{self.name}: its async step was cancelled on the loop "
                    "thread (is the interpreter shutting down?)"
                ) from error
            raise error
        result: T = job.result
        return result

    def finish(self) -> None:
        """End the task without waiting (nothing is left to run in it)."""
        lt = self._lt
        if self._task is not None and not self._ended:
            self._ended = True
            if lt.usable():
                lt.loop.call_soon_threadsafe(self._deliver, None)

    def _abandon(self, job: _ThreadJob, lt: Any) -> None:
        """Cancel ``job`` on the loop and wait (bounded) until it stopped."""
        try:
            lt.loop.call_soon_threadsafe(self._cancel, job)
            settled = _loop.wait_for(
                job.done, _loop.deadline_after(self.timeout), lt.thread
            )
        except BaseException:  # a second interrupt, or the loop died
            settled = False
        if not settled:
            self.broken = "an async step was abandoned while still running"
        elif job.last:
            self._ended = True

    # -- the loop thread ---------------------------------------------------

    def _start(self, job: _ThreadJob) -> None:
        job.seen = True
        coro = self._main(job)
        # The task starts in a copy of the caller's context (Python 3.10 has
        # no create_task(context=)).
        self._task = job.context.run(asyncio.get_running_loop().create_task, coro)

    def _deliver(self, job: _ThreadJob | None) -> None:
        if job is not None:
            job.seen = True
        inbox = self._inbox
        if inbox is not None and not inbox.done():
            inbox.set_result(job)
        elif job is not None:  # the task ended (cancelled at shutdown)
            job.error = LoopThreadError(f"{self.name}: its loop task has ended")
            job.done.release()

    def _cancel(self, job: _ThreadJob) -> None:
        # Runs after the job's own _start/_deliver if it was submitted at
        # all (call_soon_threadsafe keeps the order of one thread's calls).
        if not job.seen:
            job.cancel_requested = True
            if job.last:  # the task waits for a last job that never came
                self._deliver(None)
            if job.done.locked():
                job.done.release()
            return
        if job.done.locked() and not job.cancel_requested:
            job.cancel_requested = True
            if job.running and self._task is not None:
                self._task.cancel()

    async def _main(self, job: _ThreadJob | None) -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        while job is not None:
            if job.cancel_requested:  # interrupted before it started
                job.error = asyncio.CancelledError()
            else:
                restore_context(job.context)
                job.running = True
                try:
                    job.result = await job.fn()
                except BaseException as e:  # handed to the waiting caller
                    job.error = e
                job.running = False
                if job.cancel_requested:
                    uncancel = getattr(task, "uncancel", None)
                    if uncancel is not None and task.cancelling():
                        uncancel()
                elif isinstance(job.error, asyncio.CancelledError):
                    # Cancelled from outside (loop shutdown): end the task.
                    self.broken = "its loop task was cancelled"
                    job.last = True
                job.context = contextvars.copy_context()
            if job.last:
                self._inbox = None
                self._ended = True
                job.done.release()
                return
            self._inbox = loop.create_future()
            job.done.release()
            job = await self._inbox
        self._inbox = None


class HasOwnerTask:
    """Mixin: ``owner``, the :class:`OwnerTask` made on first async need."""

    __slots__ = ()
    name: str
    timeout: float | None
    _owner: OwnerTask | None  # a slot of the subclass

    @property
    def owner(self) -> OwnerTask:
        """The task on the loop thread (made on first use)."""
        owner = self._owner
        if owner is None:
            owner = self._owner = OwnerTask(self.name, self.timeout)  # type: ignore[misc]
        return owner


# -- callers on the loop itself ------------------------------------------------


class _LoopJob(Generic[T]):
    """One coroutine function for the owner task, and its caller's future."""

    __slots__ = ("cancelled", "fn", "future", "running")

    def __init__(
        self, fn: Callable[[], Awaitable[T]], future: asyncio.Future[T]
    ) -> None:
        self.fn = fn
        self.future = future
        self.running = False
        self.cancelled = False


class TaskOwner:
    """Runs submitted coroutines one after another in a dedicated task."""

    __slots__ = ("_queue", "_task", "name", "stack")

    def __init__(self, name: str) -> None:
        self.name = name
        self.stack = AsyncExitStack()
        self._queue: asyncio.Queue[Any] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def started(self) -> bool:
        return self._task is not None

    @property
    def closed(self) -> bool:
        return self._task is not None and self._task.done()

    def in_owner(self) -> bool:
        try:
            return asyncio.current_task() is self._task
        except RuntimeError:
            return False

    async def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``fn()`` in the owner task and return its result.

        Cancelling the caller cancels ``fn`` too (a client that went away):
        the owner task itself lives on for the teardown that follows.
        """
        if self._task is not None and self.in_owner():
            return await fn()  # re-entrant use from a dependency
        if self._task is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.get_running_loop().create_task(
                self._main(), name=f"fastapi-everywhere owner of {self.name}"
            )
        elif self._task.done():
            raise RuntimeError(f"{self.name} is closed")
        assert self._queue is not None
        job: _LoopJob[T] = _LoopJob(fn, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(job)
        try:
            return await job.future
        except asyncio.CancelledError:
            if not job.future.done() or job.future.cancelled():
                job.cancelled = True
                if job.running:
                    self._task.cancel()
            raise

    async def _main(self) -> None:
        assert self._queue is not None
        task = asyncio.current_task()
        async with self.stack:
            while True:
                job = await self._queue.get()
                if job is _STOP:
                    return
                if job.cancelled:
                    continue
                job.running = True
                try:
                    result = await job.fn()
                except asyncio.CancelledError as e:
                    if not job.cancelled:
                        raise  # the owner task itself is cancelled (loop shutdown)
                    # Only the caller's job was cancelled: the task goes on.
                    # Python >= 3.11 counts cancel requests: take ours back.
                    cancelling = getattr(task, "cancelling", None)
                    if cancelling is not None and cancelling():
                        task.uncancel()  # type: ignore[union-attr]
                    if not job.future.done():
                        job.future.set_exception(e)
                except BaseException as e:  # handed to the waiting caller
                    if not job.future.done():
                        job.future.set_exception(e)
                    if not isinstance(e, Exception):
                        raise
                else:
                    if not job.future.done():
                        job.future.set_result(result)
                finally:
                    job.running = False

    async def close(self) -> None:
        """Exit the stack (in the owner task) and end the task; idempotent."""
        task = self._task
        if task is None:
            await self.stack.aclose()
            return
        if not task.done():
            assert self._queue is not None
            self._queue.put_nowait(_STOP)
        await task
