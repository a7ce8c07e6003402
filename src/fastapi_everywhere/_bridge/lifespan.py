"""An app's lifespan: run by a server on its loop, or by us on the loop thread.

One lifespan per process, on the loop that serves. Where an ASGI server runs
the FastAPI app's lifespan (the app is served by uvicorn, with a Django or
Flask app mounted under it; or our Django ASGI wrapper answers the server's
lifespan events), :func:`served_lifespan` runs it on the server's loop and
makes that loop the one every sync caller's async steps go to: the adapters
find it running and start no second lifespan and no loop thread.
:func:`share_lifespan` makes the app's own ``lifespan_context`` do that when
a server calls it; the adapters install it when they are given the app.

Otherwise (WSGI workers, scripts, Celery) :class:`ProcessLifespan` starts it
on first use on the shared loop thread. Start-up and shutdown run in one
owner task (a lifespan that opens a task group or an ``httpx.AsyncClient``
must close it in the task that opened it), so its resources live on the loop
every later async step runs on. A lifespan left running is shut down at
interpreter exit; a forked child forgets the parent's (its state is the
parent's resources) and starts its own.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from functools import partial
from types import TracebackType
from typing import Any

from fastapi import FastAPI

from .. import _lifespan
from .._opening import ORIGINAL, OWN, describe_app, open_lifespan, opening
from . import loop as _loop
from .owner import OwnerTask
from .served import serve


@asynccontextmanager
async def served_lifespan(
    app: Any | None, *, owner: str, factory: Any = OWN
) -> AsyncIterator[dict[str, Any] | None]:
    """Run ``app``'s lifespan for a server, on the server's running loop.

    Joins the app's running lifespan if one runs already (nothing starts
    twice). While it runs, and if its resources live on this loop, this loop
    is the one that serves: sync callers on other threads (a WSGI app
    mounted under the FastAPI app) run their async steps here, and async
    views resolve here. With no app, only the latter. ``factory``: the
    lifespan to run, if not the app's own.
    """
    loop = asyncio.get_running_loop()
    if app is None:
        unserve = serve(loop)
        try:
            yield None
        finally:
            unserve()
        return
    async with _lifespan.run_lifespan(
        app, owner=owner, served=True, factory=factory
    ) as state:
        ours = _lifespan.lifespan_loop(app) is loop
        end = serve(loop) if ours else None
        try:
            yield state
        finally:
            if end is not None:
                end()


def with_lifespan_state(app: Any) -> Any:
    """``app`` (ASGI) seeing its running lifespan's state as ``request.state``.

    What a server does for the app whose lifespan it runs; for an app served
    through something that has no lifespan (a2wsgi's ``ASGIMiddleware``
    under a WSGI server) while we run the lifespan.
    """

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        state = _lifespan.lifespan_state(app)
        if state is not None and scope["type"] in ("http", "websocket"):
            scope = {**scope, "state": {**state, **scope.get("state", {})}}
        await app(scope, receive, send)

    return asgi


def share_lifespan(app: Any) -> None:
    """Make a server that runs ``app``'s lifespan share it with every adapter.

    Wraps ``app.router.lifespan_context`` once: called by a server, it runs
    :func:`served_lifespan`; called by our own start-up, it opens the app's
    own lifespan. Nothing else changes: the app's ``lifespan``, its state and
    its ``on_startup``/``on_shutdown`` handlers run as before, once.
    """
    router = getattr(app, "router", None)
    if router is None or not hasattr(router, "lifespan_context"):
        return
    original = router.lifespan_context
    if hasattr(original, ORIGINAL):
        return
    name = f"the server's lifespan of {describe_app(app)}"

    def lifespan_context(served_app: Any) -> AbstractAsyncContextManager[Any]:
        if opening():  # we run it: the app's own lifespan
            cm: AbstractAsyncContextManager[Any] = open_lifespan(served_app, original)
            return cm
        # Only what it wraps: a router lifespan FastAPI merged around this
        # wrapper is run by the merged lifespan itself.
        return served_lifespan(served_app, owner=name, factory=original)

    setattr(lifespan_context, ORIGINAL, original)
    router.lifespan_context = lifespan_context


#: Apps whose lifespan the sync API started in this process.
_started: weakref.WeakSet[Any] = weakref.WeakSet()


class LoopLifespan:
    """``app``'s lifespan, started and shut down in one task on the loop thread.

    ``timeout`` bounds each wait on the loop thread; ``limit`` the start-up
    (default: the process-wide ``configure(lifespan_timeout=...)``).
    """

    __slots__ = ("_pid", "_stack", "_unregister", "app", "limit", "owner")

    def __init__(
        self,
        app: Any,
        name: str,
        timeout: float | None = None,
        limit: _lifespan.StartupLimit | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.owner = OwnerTask(name, timeout)
        self._stack = AsyncExitStack()
        self._pid = 0
        self._unregister: Any = None

    def __repr__(self) -> str:
        state = "running" if self._pid == os.getpid() else "not running"
        return f"<LoopLifespan {type(self.app).__name__} {state}>"

    def start(self) -> dict[str, Any]:
        """Run start-up; return the lifespan state."""
        try:
            state: dict[str, Any] = self.owner.call(
                partial(
                    self._stack.enter_async_context,
                    _lifespan.run_lifespan(
                        self.app, owner=self.owner.name, limit=self.limit
                    ),
                )
            )
        except BaseException:
            self.owner.finish()
            raise
        self._pid = os.getpid()
        _started.add(self.app)
        self._unregister = _loop.on_shutdown(self._close_at_exit)
        return state

    def close(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> bool:
        """Run shutdown (in the task that ran start-up); idempotent.

        In a forked child this is a no-op: the lifespan is the parent's.
        """
        if self._pid != os.getpid():
            return False
        self._pid = 0
        self._unregister()
        return bool(
            self.owner.call(
                partial(self._stack.__aexit__, exc_type, exc, tb), last=True
            )
        )

    def _close_at_exit(self) -> None:
        self.close()

    def __enter__(self) -> dict[str, Any]:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        return self.close(exc_type, exc, tb)


def _forget_parent_lifespans() -> None:
    # Their tasks ran on the parent's loop thread, which the child lacks:
    # joining one would wait forever. The child starts its own on first use.
    for app in list(_started):
        for table in ("_states", "_running"):
            getattr(_lifespan, table, {}).pop(app, None)
    _started.clear()


_loop.after_fork_in_child(_forget_parent_lifespans)


# -- the lifespan of one process ---------------------------------------------

_lifespans: weakref.WeakSet[ProcessLifespan] = weakref.WeakSet()


class ProcessLifespan:
    """The FastAPI app's lifespan for one process: started lazily, once per process.

    :meth:`ensure_started` is thread-safe and cheap once started. In a forked
    child (gunicorn ``--preload``, Celery prefork) the parent's lifespan is
    forgotten and the child starts its own on first use. The lifespan runs on
    the shared loop thread and is shut down at interpreter exit. ``timeout``
    bounds each wait on the loop thread, ``limit`` the start-up (default: the
    process-wide ``configure(lifespan_timeout=...)``).
    """

    def __init__(
        self,
        app: FastAPI | None,
        *,
        name: str,
        timeout: float | None = None,
        limit: _lifespan.StartupLimit | None = None,
    ) -> None:
        self.app = app
        self.name = name
        self.timeout = timeout
        self.limit = limit
        self._pid = 0
        self._lifespan: LoopLifespan | None = None
        self._lock = threading.Lock()
        _lifespans.add(self)
        if app is not None:
            share_lifespan(app)  # before a server may run it

    def __repr__(self) -> str:
        state = "running" if self.running else "not running"
        app = type(self.app).__name__ if self.app is not None else None
        return f"<ProcessLifespan {self.name} app={app} {state}>"

    @property
    def running(self) -> bool:
        """Whether the lifespan runs in this process."""
        return self._pid == os.getpid()

    def ensure_started(self) -> None:
        """Start the lifespan unless it runs in this process already (no app: no-op).

        A lifespan a server runs (see :func:`served_lifespan`) is the
        process's: nothing is started, and the server shuts it down.
        """
        if self.app is None or self._pid == os.getpid():
            return
        if _lifespan.is_served(self.app):
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            lifespan = LoopLifespan(self.app, self.name, self.timeout, self.limit)
            lifespan.start()  # a failed start-up leaves nothing running
            self._lifespan = lifespan
            self._pid = os.getpid()

    def close(self) -> None:
        """Shut the lifespan down now (idempotent; a no-op in a forked child)."""
        with self._lock:
            lifespan, self._lifespan = self._lifespan, None
            running, self._pid = self.running, 0
            if lifespan is not None and running:
                lifespan.close()

    def _after_fork(self) -> None:
        self._lock = threading.Lock()  # another thread may have held it
        self._lifespan = None
        self._pid = 0


def _forget_after_fork() -> None:
    for lifespan in list(_lifespans):
        lifespan._after_fork()


_loop.after_fork_in_child(_forget_after_fork)
