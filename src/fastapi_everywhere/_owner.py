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
from typing import Any, TypeVar

T = TypeVar("T")

_STOP: Any = object()


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
        """Run ``fn()`` in the owner task and return its result."""
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
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((fn, future))
        return await future

    async def _main(self) -> None:
        assert self._queue is not None
        async with self.stack:
            while True:
                item = await self._queue.get()
                if item is _STOP:
                    return
                fn, future = item
                try:
                    result = await fn()
                except BaseException as e:  # handed to the waiting caller
                    if not future.done():
                        future.set_exception(e)
                    if not isinstance(e, Exception):
                        raise
                else:
                    if not future.done():
                        future.set_result(result)

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
