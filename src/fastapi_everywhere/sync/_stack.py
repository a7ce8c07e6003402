"""``FastApiDepsStack`` for sync code: the async stack, driven on the loop thread.

The async :class:`fastapi_everywhere.FastApiDepsStack` already sets up and
tears down every dependency in one owner task; this twin only submits its
calls to the loop thread, so the lifespan and the dependencies live on the
loop every later sync call uses. Fork-safe: in a forked child a stack that
was started in the parent forgets the parent's instances (without tearing
them down: they are the parent's) and starts afresh on first use. A stack
left open is closed at interpreter exit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar, overload

from fastapi import FastAPI

from .._bridge import loop as _loop
from .._bridge.owner import OwnerTask
from .._closing import Closing
from .._stack import FastApiDepsStack as _AsyncStack
from .._typing import Generated

T = TypeVar("T")


class FastApiDepsStack(Closing):
    """A sync context manager that starts the app's lifespan once and keeps
    every dependency it resolves alive until :meth:`close`.

    ``resolve`` accepts ``Annotated[T, Depends(f)]``, a ``Depends(f)`` or the
    callable itself; resolving the same dependency again returns the same
    instance. Teardown runs at :meth:`close` (or at interpreter exit), in the
    asyncio task that set the dependencies up, then the lifespan shuts down.
    Sync dependencies run in worker threads, as in FastAPI (instances outlive
    the calling thread). ``timeout`` bounds each wait on the loop thread.
    Thread-safe.
    """

    def __init__(self, app: FastAPI | None = None, *, timeout: float | None = None):
        self._app = app
        self._timeout = timeout
        self._lock = threading.RLock()
        self._inner: _AsyncStack | None = None
        self._pid = 0
        self._unregister: Callable[[], None] | None = None

    @property
    def started(self) -> bool:
        """Whether the stack is started in this process."""
        return self._inner is not None and self._pid == os.getpid()

    def _run(self, fn: Callable[[], Awaitable[T]], what: str) -> T:
        owner = OwnerTask(f"sync.FastApiDepsStack.{what}", self._timeout)
        return owner.call(fn, last=True)

    def start(self) -> FastApiDepsStack:
        """Start the app's lifespan (idempotent)."""
        with self._lock:
            if self.started:
                return self
            inner = _AsyncStack(self._app)
            self._run(inner.start, "start")
            self._inner, self._pid = inner, os.getpid()
            self._unregister = _loop.on_shutdown(self.close)
        return self

    def _started_inner(self) -> _AsyncStack:
        inner = self._inner
        if inner is not None and self._pid == os.getpid():
            return inner
        if inner is not None:  # started in the parent process: start afresh
            self._inner = None
            return self.start()._started_inner()
        raise RuntimeError(
            "sync.FastApiDepsStack.resolve: the stack is not started. Call "
            "start() first (`stack.start()`, or use `with stack:`)"
        )

    @overload
    def resolve(self, dependency: Callable[..., Generated[T]]) -> T: ...
    @overload
    def resolve(self, dependency: Callable[..., T]) -> T: ...
    @overload
    def resolve(self, dependency: Any) -> Any: ...

    def resolve(self, dependency: Any) -> Any:
        """Resolve ``dependency`` (cached until :meth:`close`)."""
        _loop.check_not_loop_thread("sync.FastApiDepsStack.resolve")
        inner = self._started_inner()
        return self._run(partial(inner.resolve, dependency), "resolve")

    def close(self) -> None:
        """Tear every dependency down, then shut the lifespan down (idempotent)."""
        with self._lock:
            inner, self._inner = self._inner, None
            if inner is None or self._pid != os.getpid():
                return
            if self._unregister is not None:
                self._unregister()
                self._unregister = None
            self._run(inner.close, "close")

    def __enter__(self) -> FastApiDepsStack:
        return self.start()

    def __repr__(self) -> str:
        state = "started" if self.started else "not started"
        return f"<sync.FastApiDepsStack {state}>"
