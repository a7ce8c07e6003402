"""The worker threads sync dependencies run on when resolved from async code.

FastAPI's rule is that a sync dependency never blocks the event loop, so it
runs in a worker thread. anyio's ``to_thread.run_sync`` costs ~300 µs a hop on
a small machine; a plain executor ~60 µs, so we keep our own, recreated after
``fork`` (a child must not reuse the parent's threads).
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio.to_thread

T = TypeVar("T")

#: FastAPI (anyio) allows 40 concurrent worker threads by default; so do we.
MAX_WORKERS = 40

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid = 0


def _get_executor() -> ThreadPoolExecutor:
    global _executor, _executor_pid
    executor = _executor
    if executor is not None and _executor_pid == os.getpid():
        return executor
    with _lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(
                max_workers=MAX_WORKERS, thread_name_prefix="fastapi-everywhere"
            )
            _executor_pid = os.getpid()
        return _executor


def _forget_after_fork() -> None:
    global _executor
    _executor = None  # the parent's threads do not exist in the child


os.register_at_fork(after_in_child=_forget_after_fork)


async def run_in_thread(func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` in a worker thread, in a copy of the current context."""
    ctx = contextvars.copy_context()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (trio through anyio): use anyio
        return await anyio.to_thread.run_sync(ctx.run, func, *args)
    try:
        future = loop.run_in_executor(_get_executor(), ctx.run, func, *args)
    except RuntimeError:
        # At interpreter exit concurrent.futures refuses new work; teardown
        # still has to run, so use a plain thread.
        future = _in_plain_thread(loop, ctx, func, args)
    return await future


def _in_plain_thread(
    loop: asyncio.AbstractEventLoop,
    ctx: contextvars.Context,
    func: Callable[..., T],
    args: tuple[Any, ...],
) -> asyncio.Future[T]:
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            result = ctx.run(func, *args)
        except BaseException as e:
            loop.call_soon_threadsafe(settle, False, e)
        else:
            loop.call_soon_threadsafe(settle, True, result)

    threading.Thread(target=work, name="fastapi-everywhere-exit", daemon=True).start()
    return future
