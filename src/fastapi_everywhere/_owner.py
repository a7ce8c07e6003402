"""One asyncio task that enters *and* exits a long-lived set of dependencies.

Async ``yield`` dependencies that open anyio cancel scopes (an
``httpx.AsyncClient``, a task group) must be torn down in the task that set
them up; FastAPI >= 0.162.7 even shields teardown with a cancel scope on the
request stack. Containers, their scopes and deps stacks therefore run every
resolution inside one owner task, which also closes their exit stack.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_STOP: Any = object()


class _Job(Generic[T]):
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
        job: _Job[T] = _Job(fn, asyncio.get_running_loop().create_future())
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
