"""Where a container keeps what it resolved: per event loop, per level.

A :class:`LoopState` is a container's life on one event loop (its owner task
and CONTAINER level); a :class:`Level` is the CONTAINER level or one open
``scope()`` block: a cache, an exit stack and the background tasks its
dependencies added.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

import anyio
from fastapi import BackgroundTasks

from .._bridge.owner import OwnerTask
from .._engine import describe
from .scopes import DependencyScope

logger = logging.getLogger("fastapi_everywhere")

__all__ = ["Level", "LoopState"]


class Level:
    """A cache, an exit stack and background tasks: the container or one scope.

    Every level of a container is entered and exited in the container's one
    owner task, so teardown always runs in the task that did the setup.
    Background tasks added by the level's dependencies run when it closes,
    after its teardown, as FastAPI runs a request's after the response.
    """

    __slots__ = ("attached", "cache", "closed", "kind", "stack", "tasks")

    def __init__(self, kind: DependencyScope) -> None:
        self.kind = kind
        self.cache: dict[Any, Any] = {}
        self.stack = AsyncExitStack()
        self.tasks: BackgroundTasks | None = None
        self.closed = False
        self.attached = False

    @property
    def pending(self) -> bool:
        """Whether some teardown waits for :meth:`aclose`."""
        # AsyncExitStack keeps its callbacks private; this is the only way to ask.
        return bool(self.stack._exit_callbacks)  # type: ignore[attr-defined]

    def background(self) -> BackgroundTasks:
        """The ``BackgroundTasks`` its dependencies are given (one per level)."""
        tasks = self.tasks
        if tasks is None:
            tasks = self.tasks = BackgroundTasks()
        return tasks

    def close_if_idle(self) -> bool:
        """Close now if there is nothing to tear down or run; True if it did."""
        if self.tasks is not None or self.pending:
            return False
        self.closed = True
        self.cache.clear()
        return True

    async def aclose(self, exc: BaseException | None = None) -> None:
        """Tear down, then run the background tasks, in the order they were added.

        A failing task is logged and the others still run; teardown ran
        before any of them. ``exc``, the exception that ended a ``scope()``
        block, is thrown into the ``yield`` dependencies (a session rolls
        back), as FastAPI throws a route's; the background tasks are then not
        run, as FastAPI runs none for a failed request (a warning names them).
        """
        try:
            if exc is None:
                await self.stack.aclose()
            else:
                await self.stack.__aexit__(type(exc), exc, exc.__traceback__)
        finally:
            tasks, self.tasks = self.tasks, None
            if tasks is not None and exc is not None:
                logger.warning(
                    "FastAPIContainer: background tasks not run, the scope() "
                    "block raised %r: %s",
                    exc,
                    ", ".join(describe(task.func) for task in tasks.tasks),
                )
            elif tasks is not None:
                for task in tasks.tasks:
                    try:
                        await task()
                    except Exception:
                        logger.exception(
                            "FastAPIContainer: background task %s failed",
                            describe(task.func),
                        )


class LoopState:
    """A container's life on one event loop: its owner task and CONTAINER level.

    Async resources belong to the loop that made them, so each loop the
    container is used on gets its own CONTAINER instances, built on first
    use there and torn down in that loop's owner task (at ``aclose``, or
    when ``asyncio.run`` ends the loop and cancels the task).
    """

    __slots__ = ("cleanup_scope", "level", "lifespan", "loop", "owner")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.owner = OwnerTask("FastAPIContainer")
        self.level = Level(DependencyScope.CONTAINER)
        self.cleanup_scope: anyio.CancelScope | None = None
        self.lifespan: dict[str, Any] | None = None

    @property
    def ended(self) -> bool:
        """Its loop is closed or its owner task is done: all was torn down."""
        return self.loop.is_closed() or self.owner.closed

    def attach_level(self) -> None:
        """Close the CONTAINER level when the owner task ends (in that task).

        Attached after the lifespan when it is started first, so the
        dependencies and their background tasks end before it shuts down.
        """
        if not self.level.attached:
            self.level.attached = True
            self.owner.stack.push_async_callback(self.level.aclose)

    def teardown_shield(self) -> anyio.CancelScope:
        """The cancel scope FastAPI shields async ``yield`` teardown with.

        FastAPI enters it before the generators. A scope's stack closes
        before the CONTAINER generators it may have built, so it lives on
        the CONTAINER level's (outermost) stack, one per loop.
        """
        if self.cleanup_scope is None:
            self.cleanup_scope = self.level.stack.enter_context(anyio.CancelScope())
        return self.cleanup_scope

    async def start_lifespan(self, app: Any, owner: str) -> dict[str, Any]:
        """Run ``app``'s lifespan in the owner task, once per loop."""
        from .._lifespan import run_lifespan

        async def start() -> dict[str, Any]:
            if self.lifespan is None:
                self.lifespan = await self.owner.stack.enter_async_context(
                    run_lifespan(app, owner=owner)
                )
                self.attach_level()
            return self.lifespan

        return await self.owner.run(start)

    async def close_scope(self, level: Level, exc: BaseException | None) -> None:
        """End a ``scope()`` block: forget its instances, tear them down.

        ``exc`` is the exception the block raised, or None.
        """
        if level.close_if_idle():
            return  # nothing to tear down or run: no trip to the owner task
        level.closed = True
        level.cache.clear()
        if self.owner.started and not self.ended:
            await self.owner.run(partial(level.aclose, exc))
        else:
            await level.aclose(exc)

    async def close(self) -> None:
        """End the owner task (teardown, tasks, lifespan), from any loop."""
        loop = self.loop
        if self.ended:
            return
        if asyncio.get_running_loop() is loop:
            await self.owner.close()
        elif loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self.owner.close(), loop)
            await asyncio.wrap_future(future)
        else:
            warnings.warn(
                f"FastAPIContainer: dependencies built on {loop!r} are not torn "
                "down: that event loop is not running; close the container on "
                "it, or close the loop (which cancels its tasks)",
                ResourceWarning,
                stacklevel=3,
            )
