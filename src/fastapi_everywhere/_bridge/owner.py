"""The asyncio task that owns a set of exits: everything set up in it is torn down in it.

Async ``yield`` dependencies must be entered and exited in the same asyncio
task (anyio cancel scopes, ``httpx.AsyncClient``; FastAPI >= 0.162 shields
teardown with a cancel scope on the request stack). Every long-lived owner
of dependencies therefore runs its steps, in order, in one
:class:`OwnerTask`, whose ``stack`` is exited in that task when it ends:

* callers on other threads (the sync API, a WSGI request):
  ``owner.call(fn)``, and ``owner.finish()`` (or ``last=True``) to end it;
* callers on the owner's loop (a container, a deps stack, an async host
  request): ``await owner.run(fn)``, and ``await owner.close()``.

A cross-thread step costs one round trip, made as light as it gets: the
caller hands the job over with ``call_soon_threadsafe`` and sleeps on a plain
lock that the task releases (no ``concurrent.futures`` machinery, no task per
step). Context variables travel both ways with each such job, as in asgiref:
the caller's values are applied in the task before the step, the task's after
it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any, TypeVar

from .._errors import LoopThreadError
from . import loop as _loop
from .job import Inbox, Job, LoopJob, ThreadJob, restore_context

__all__ = ["HasOwnerTask", "OwnerTask"]

T = TypeVar("T")

# What a step may raise without ending the task (a cancelled step's own
# CancelledError included); None is no error.
_HANDED_OVER = (Exception, asyncio.CancelledError, type(None))


class OwnerTask:
    """One task running the steps of one owner, one after another.

    The task is created by the first :meth:`call` (on the loop thread) or
    :meth:`run` (on the running loop). It ends after a call with
    ``last=True``, :meth:`finish` or :meth:`close`, exiting :attr:`stack`;
    a later :meth:`call` starts a new one, :meth:`run` refuses.
    """

    __slots__ = (
        "_ended",
        "_inbox",
        "_lt",
        "_stack",
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
        self._inbox: Inbox | None = None  # None: no task takes steps
        self._ended = False
        self._stack: AsyncExitStack | None = None

    @property
    def stack(self) -> AsyncExitStack:
        """Exits entered in the task; exited in it when the task ends."""
        stack = self._stack
        if stack is None:
            stack = self._stack = AsyncExitStack()
        return stack

    @property
    def started(self) -> bool:
        """Whether a task is running for this owner."""
        return self._task is not None and not self._ended

    @property
    def closed(self) -> bool:
        """Whether the task has ended (its stack was exited)."""
        return self._task is not None and self._task.done()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The loop the task runs (or ran) on; None before it first started."""
        lt = self._lt
        return None if lt is None else lt.loop

    def on_its_thread(self) -> bool:
        """Whether the caller runs on the thread of the loop the task runs on."""
        lt = self._lt
        return lt is not None and lt.ident == threading.get_ident()

    def on(self, other: OwnerTask) -> None:
        """Run on the loop ``other`` runs on (call before the first step)."""
        if self._task is None:
            self._lt = other._lt

    def in_owner(self) -> bool:
        """Whether the current task is the owner task."""
        try:
            return asyncio.current_task() is self._task
        except RuntimeError:
            return False

    def __repr__(self) -> str:
        state = "broken" if self.broken else "started" if self.started else "new"
        return f"<OwnerTask {self.name} {state}>"

    # -- callers on other threads -------------------------------------------

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
        if self.on_its_thread():  # its task runs on this very thread
            raise LoopThreadError(
                f"{self.name} was called on the thread of the event loop its "
                "task runs on, which it would have to wait on (a deadlock); "
                "await it from async code instead"
            )
        job = ThreadJob(fn, last)
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

    def _abandon(self, job: ThreadJob, lt: Any) -> None:
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

    def _start(self, job: ThreadJob) -> None:
        job.seen = True
        # The task starts in a copy of the caller's context.
        self._launch(job, job.context)

    # -- callers on the loop ---------------------------------------------------

    async def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``fn()`` in the owner task and return its result.

        Re-entrant from inside the owner task; concurrent callers take
        turns. Cancelling the caller cancels ``fn`` too (a client that went
        away): the owner task itself lives on for the teardown that follows.
        """
        task = self._task
        if task is not None and asyncio.current_task() is task:
            return await fn()  # re-entrant use from a dependency
        job = LoopJob(fn, asyncio.get_running_loop().create_future())
        if task is None:
            self._launch(job, None)
        elif self._inbox is None:
            raise RuntimeError(f"{self.name} is closed")
        else:
            self._deliver(job)
        try:
            result: T = await job.future
        except asyncio.CancelledError:
            self._cancel(job)
            raise
        return result

    async def close(self) -> None:
        """End the task (its stack exits in it) and wait for it; idempotent."""
        task = self._task
        if task is None:
            if self._stack is not None:
                await self._stack.aclose()
            return
        if not task.done():
            self._deliver(None)
        await task

    # -- the loop thread ---------------------------------------------------

    def _launch(self, job: Job, context: contextvars.Context | None) -> None:
        self._inbox = Inbox()
        coro = self._main(job)
        loop = asyncio.get_running_loop()
        if self._lt is None:  # started by run(): thread callers come here too
            self._lt = _loop.handle_of(loop)
        name = f"fastapi-everywhere owner of {self.name}"
        if context is None:
            self._task = loop.create_task(coro, name=name)
        else:  # Python 3.10 has no create_task(context=)
            self._task = context.run(loop.create_task, coro, name=name)

    def _deliver(self, job: Job | None) -> None:
        if job is not None:
            job.seen = True
        inbox = self._inbox
        if inbox is not None:
            inbox.put(job)
        elif job is not None:  # the task ended (cancelled at shutdown)
            job.settle(None, LoopThreadError(f"{self.name}: its loop task has ended"))

    def _cancel(self, job: Job) -> None:
        # A thread caller's _cancel runs after the job's own _start/_deliver
        # if it was submitted at all (call_soon_threadsafe keeps the order
        # of one thread's calls).
        if not job.seen:
            job.cancelled = True
            if job.last:  # the task waits for a last job that never came
                self._deliver(None)
            job.settle(None, asyncio.CancelledError())
            return
        if job.settled or job.cancelled:
            return
        job.cancelled = True
        if job.running and self._task is not None:
            self._task.cancel()

    async def _main(self, job: Job | None) -> None:
        """Run the steps in order until a ``last`` one or ``None``."""
        # One coroutine, the inbox read inline: the thread round trip pays
        # for no frame beyond the step's own.
        inbox = self._inbox
        assert inbox is not None
        jobs, loop = inbox.jobs, asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        try:
            while job is not None:
                result: Any = None
                error: BaseException | None = None
                if job.cancelled:  # abandoned before it started
                    error = asyncio.CancelledError()
                else:
                    job.begin()
                    job.running = True
                    try:
                        result = await job.fn()
                    except BaseException as e:  # handed to the waiting caller
                        error = e
                    job.running = False
                    if job.cancelled:
                        # Only the caller's step was cancelled: the task goes
                        # on. Python >= 3.11 counts cancel requests: take ours
                        # back.
                        uncancel = getattr(task, "uncancel", None)
                        if uncancel is not None and task.cancelling():  # pyright: ignore[reportAttributeAccessIssue]
                            uncancel()
                    elif isinstance(error, asyncio.CancelledError):
                        # The task itself was cancelled (loop shutdown): it ends.
                        self.broken = "its loop task was cancelled"
                        self._inbox, self._ended = None, True
                        job.last = True
                        job.settle(None, error)
                        raise error
                if job.last:
                    self._inbox, self._ended = None, True
                    job.settle(result, error)
                    break
                job.settle(result, error)
                if job.propagates and not isinstance(error, _HANDED_OVER):
                    raise error
                while not jobs:
                    waiter = inbox.waiter = loop.create_future()
                    await waiter
                job = jobs.popleft()
            self._ended = True
        except BaseException as e:
            self._stop(inbox)
            stack = self._stack
            if stack is None or not await stack.__aexit__(type(e), e, e.__traceback__):
                raise
        else:
            self._stop(inbox)
            if self._stack is not None:
                await self._stack.__aexit__(None, None, None)

    def _stop(self, inbox: Inbox) -> None:
        """Take no more steps; those still queued fail."""
        if self._inbox is inbox:
            self._inbox = None
        for job in inbox.jobs:
            if job is not None:
                job.settle(
                    None, LoopThreadError(f"{self.name}: its loop task has ended")
                )
        inbox.jobs.clear()


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
