"""The worker threads sync dependencies run on when resolved from async code.

FastAPI's rule is that a sync dependency never blocks the event loop, so it
runs in a worker thread, and that hop is the largest cost of a resolution.
anyio's ``to_thread.run_sync`` costs ~200 µs a hop on a small VM,
``loop.run_in_executor`` ~155 µs (a ``concurrent.futures`` Future chained to
an asyncio one, a work item, a semaphore) and this pool ~115 µs, close to the
~90 µs a bare two-thread ping-pong costs there (``bench/engine.py``). Its
threads are daemons, recreated after ``fork`` (a child must not reuse the
parent's threads), and keep taking work during interpreter exit, when
teardown and lifespan shutdown still have to run.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

import anyio.to_thread

T = TypeVar("T")

#: FastAPI (anyio) allows 40 concurrent worker threads by default; so do we.
MAX_WORKERS = 40

_Job = tuple[
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
]


class _Pool:
    """Up to ``MAX_WORKERS`` threads taking jobs from one queue.

    Every job is *claimed* when submitted: by an idle thread (which is
    blocked on the queue, so it will take one) or by a new thread. A job
    therefore never waits behind a busy thread while the pool has room, so a
    sync dependency that waits for another cannot deadlock the pool.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._jobs: SimpleQueue[_Job] = SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._threads = 0

    def submit(self, job: _Job) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1
                spawn = False
            else:
                spawn = self._threads < MAX_WORKERS
                if spawn:
                    self._threads += 1
        if spawn:
            try:
                threading.Thread(
                    target=self._work, name="fastapi-everywhere-worker", daemon=True
                ).start()
            except BaseException:
                with self._lock:
                    self._threads -= 1
                raise
        self._jobs.put(job)

    def _work(self) -> None:
        jobs = self._jobs
        lock = self._lock
        while True:
            loop, future, ctx, func, args = jobs.get()
            try:
                result, ok = ctx.run(func, *args), True
            except BaseException as e:
                result, ok = e, False
            # Idle from now on (a job claiming this thread waits in the queue
            # until it gets there), so that waking the loop is the last thing
            # this thread does before it releases the GIL on the queue.
            with lock:
                self._idle += 1
            # RuntimeError: the loop closed, nobody is waiting for the result.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, ok, result)
            # Drop the job's references before sleeping on the queue.
            del loop, future, ctx, func, args, result


def _settle(future: asyncio.Future[Any], ok: bool, result: Any) -> None:
    if future.cancelled():
        return  # the awaiting task was cancelled; the work ran anyway
    if ok:
        future.set_result(result)
    else:
        future.set_exception(result)


_lock = threading.Lock()
_pool: _Pool | None = None


def _get_pool() -> _Pool:
    global _pool
    pool = _pool
    if pool is not None and pool.pid == os.getpid():
        return pool
    with _lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = _Pool()
        return _pool


def _forget_after_fork() -> None:
    global _pool
    _pool = None  # the parent's threads do not exist in the child


os.register_at_fork(after_in_child=_forget_after_fork)


async def run_in_thread(func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` in a worker thread, in a copy of the current context."""
    ctx = contextvars.copy_context()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (trio through anyio): use anyio
        return await anyio.to_thread.run_sync(ctx.run, func, *args)  # pyright: ignore[reportReturnType, reportArgumentType]
    future: asyncio.Future[T] = loop.create_future()
    _get_pool().submit((loop, future, ctx, func, args))
    return await future
