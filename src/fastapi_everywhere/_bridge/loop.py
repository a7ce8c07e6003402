"""The one event-loop thread per process that the sync API runs async work on.

Async resources created at lifespan start-up (connection pools, an
``httpx.AsyncClient``) belong to the loop that created them, so every async
step of the sync API runs on one loop, in one daemon thread:

* created lazily, under a lock, on first use (a tree with no async dependency
  never starts it);
* fork-safe: the owning pid is checked on every entry and a forked child
  forgets the parent's loop (``os.register_at_fork``) and starts its own;
* recreated if it died;
* guarded: the sync API called *on* the loop thread raises
  :class:`~fastapi_everywhere.LoopThreadError` instead of deadlocking. Called
  from a coroutine running on some *other* loop it works, but blocks that
  loop's thread while it waits (prefer the async API there);
* shut down at interpreter exit: what registered with :func:`on_shutdown`
  (lifespans, stacks, containers left open) is closed first, with a timeout,
  then pending tasks are cancelled and the loop is closed, so no "Task was
  destroyed but it is pending" or "Event loop is closed" noise.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import itertools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from .._errors import FastAPIEverywhereError, LoopThreadError
from . import served as _served
from .served import ServedLoop

__all__ = [
    "SHUTDOWN_TIMEOUT",
    "LoopTimeoutError",
    "check_not_loop_thread",
    "get_loop",
    "in_loop_thread",
    "loop_running",
    "on_shutdown",
    "shutdown",
]

#: Seconds the interpreter-exit shutdown waits for each registered closer,
#: and then for the loop's own pending tasks.
SHUTDOWN_TIMEOUT = 10.0
#: How often a waiting caller checks that the loop thread is still alive.
_POLL = 1.0


class LoopTimeoutError(FastAPIEverywhereError, TimeoutError):
    """Async work of the sync API did not finish within its ``timeout``.

    The work was cancelled on the loop thread and teardown ran.
    """


class _LoopThread:
    """One event loop running forever in one daemon thread."""

    __slots__ = ("ident", "loop", "pid", "thread")

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.ident: int | None = None
        started = threading.Event()
        self.thread = threading.Thread(
            target=self._run,
            args=(started,),
            name="fastapi-everywhere-loop",
            daemon=True,
        )
        self.thread.start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.ident = threading.get_ident()
        # The call_soon makes `started` fire only once the loop is running.
        self.loop.call_soon(started.set)
        try:
            self.loop.run_forever()
        finally:
            self.ident = None

    def usable(self) -> bool:
        return (
            self.pid == os.getpid()
            and self.thread.is_alive()
            and not self.loop.is_closed()
        )

    def __repr__(self) -> str:
        state = "running" if self.usable() else "dead"
        return f"<LoopThread pid={self.pid} {state}>"


_lock = threading.Lock()
_current: _LoopThread | None = None
#: Loops of dead threads and of the parent process (after fork): kept
#: referenced so that their finalizers never warn about an unclosed loop.
_orphans: list[asyncio.AbstractEventLoop] = []
#: Closers run at interpreter exit, in reverse order of registration.
_closers: dict[int, Callable[[], None]] = {}
_closer_ids = itertools.count(1)
_atexit_registered_pid = 0


def _get() -> _LoopThread:
    global _current, _atexit_registered_pid
    current = _current
    if current is not None and current.pid == os.getpid() and current.usable():
        return current
    with _lock:
        current = _current
        if current is not None and current.usable():
            return current
        if current is not None:
            _orphans.append(current.loop)
        _current = current = _LoopThread()
        if _atexit_registered_pid != current.pid:
            atexit.register(_at_exit)
            _atexit_registered_pid = current.pid
        return current


def loop_thread() -> _LoopThread | ServedLoop:
    """Where a sync caller's async steps run.

    The server's loop while one serves (unless the caller runs on it: it
    could not wait for itself), else the process's loop thread (started on
    first use).
    """
    served = _served.served_loop()
    if served is not None and served.ident != threading.get_ident():
        return served
    return _get()


def sync_callers_loop() -> asyncio.AbstractEventLoop:
    """The loop a sync caller's async steps go to (see :func:`loop_thread`)."""
    return loop_thread().loop


def handle_of(loop: asyncio.AbstractEventLoop) -> _LoopThread | ServedLoop:
    """The handle of ``loop``, which runs in the caller's thread."""
    current, served = _current, _served.current
    if current is not None and current.loop is loop:
        return current
    if served is not None and served.loop is loop:
        return served
    return ServedLoop(loop)


def is_current(thread: _LoopThread | ServedLoop) -> bool:
    """Whether ``thread`` is still a loop this process runs steps on."""
    if isinstance(thread, ServedLoop):
        return thread.usable()
    return thread is _current


def get_loop() -> asyncio.AbstractEventLoop:
    """The process's loop-thread event loop, started on first use."""
    return _get().loop


def loop_running() -> bool:
    """Whether this process has a live loop thread (without starting one)."""
    current = _current
    return current is not None and current.usable()


def in_loop_thread() -> bool:
    """Whether the caller runs on this process's loop thread."""
    current = _current
    return (
        current is not None
        and current.ident == threading.get_ident()
        and current.pid == os.getpid()
    )


def check_not_loop_thread(what: str) -> None:
    """Raise :class:`LoopThreadError` when called on the loop thread."""
    if in_loop_thread():
        raise LoopThreadError(
            f"{what} was called on fastapi-everywhere's event-loop thread, "
            "which it would have to wait on (a deadlock). From async code "
            "use the async API (`await fastapi_everywhere.with_fastapi_depends"
            "(...)(...)`), or run the sync call in a worker thread "
            "(`await asyncio.to_thread(...)`)."
        )


#: While :func:`shutdown` closes what was left open: the latest moment any
#: wait on the loop may end (a hung lifespan shutdown must not hang exit).
_cap: float | None = None


def deadline_after(timeout: float | None) -> float | None:
    """The deadline of a wait of ``timeout`` seconds (None: unbounded)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    cap = _cap
    if cap is not None and (deadline is None or cap < deadline):
        return cap
    return deadline


def wait_for(lock: Any, deadline: float | None, thread: threading.Thread) -> bool:
    """Acquire ``lock`` (released by the loop thread) before ``deadline``.

    False on timeout; :class:`LoopThreadError` if the loop thread died.
    Interruptible (``KeyboardInterrupt`` in the main thread).
    """
    while True:
        if deadline is None:
            timeout = _POLL
        else:
            timeout = min(deadline - time.monotonic(), _POLL)
            if timeout <= 0:
                return bool(lock.acquire(False))
        if lock.acquire(True, timeout):
            return True
        if not thread.is_alive():
            raise LoopThreadError(
                "fastapi-everywhere's event-loop thread died while a sync call "
                "was waiting on it; the next call starts a new one"
            )


# -- interpreter exit and fork ---------------------------------------------------


def on_shutdown(closer: Callable[[], None]) -> Callable[[], None]:
    """Run ``closer()`` at interpreter exit, before the loop stops.

    For lifespans, stacks and containers the sync API started and nobody
    closed. Returns a function that unregisters it (call it on close).
    """
    key = next(_closer_ids)
    pid = os.getpid()
    _closers[key] = closer

    def unregister() -> None:
        if os.getpid() == pid:
            _closers.pop(key, None)

    return unregister


def _at_exit() -> None:
    shutdown(timeout=SHUTDOWN_TIMEOUT)


def shutdown(timeout: float = SHUTDOWN_TIMEOUT) -> None:
    """Close what is still open, then stop and close the loop thread.

    Runs at interpreter exit (only in the process that owns the loop). Safe to
    call in tests; the next sync call starts a new loop thread.
    """
    global _current, _cap
    while _closers:
        _, closer = _closers.popitem()
        # Each closer gets `timeout` seconds of waiting on the loop, at most.
        _cap = time.monotonic() + timeout
        try:
            closer()
        except Exception as e:  # report, keep shutting down the rest
            _report(f"fastapi-everywhere: closing {closer!r} at exit failed: {e!r}")
        finally:
            _cap = None
    with _lock:
        current, _current = _current, None
    if current is None or current.pid != os.getpid() or not current.usable():
        return
    if current.ident == threading.get_ident():  # pragma: no cover - misuse
        raise LoopThreadError("shutdown() cannot run on the loop thread itself")
    loop = current.loop
    future = asyncio.run_coroutine_threadsafe(_drain(timeout), loop)
    try:
        future.result(timeout + 1.0)
    except Exception as e:  # pragma: no cover - a task refused to stop
        _report(f"fastapi-everywhere: stopping the event loop: {e!r}")
    loop.call_soon_threadsafe(loop.stop)
    current.thread.join(timeout)
    if not current.thread.is_alive():
        loop.close()
    else:  # pragma: no cover - something blocks the loop thread
        _orphans.append(loop)


async def _drain(timeout: float) -> None:
    """Cancel every other task (as ``asyncio.run`` does) and wait for them."""
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks(loop) if t is not me and not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)
    await loop.shutdown_asyncgens()
    shutdown_executor = getattr(loop, "shutdown_default_executor", None)
    if shutdown_executor is not None:
        await shutdown_executor()


def _report(message: str) -> None:
    import sys

    print(message, file=sys.stderr)


def _after_fork_in_child() -> None:
    # The parent's loop thread does not exist here; its loop object must not
    # be closed (it is "running" from the child's point of view) nor used.
    global _lock, _current
    _lock = threading.Lock()
    _served.forget()
    if _current is not None:
        _orphans.append(_current.loop)
    _current = None
    _closers.clear()
    for hook in _fork_hooks:
        hook()


#: Called in a forked child after the loop state is reset (sync-API modules
#: forget what belongs to the parent: lifespans, stacks).
_fork_hooks: list[Callable[[], None]] = []


def after_fork_in_child(hook: Callable[[], None]) -> None:
    """Register ``hook`` to run in every forked child of this process."""
    _fork_hooks.append(hook)


os.register_at_fork(after_in_child=_after_fork_in_child)

# Context variables that must not cross from a caller's thread to the loop.
NON_PORTABLE: set[contextvars.ContextVar[Any]] = set()
try:  # sniffio names the *caller's* async library (e.g. trio)
    import sniffio  # type: ignore[import-not-found]

    NON_PORTABLE.add(sniffio.current_async_library_cvar)
except ImportError:  # pragma: no cover
    pass
