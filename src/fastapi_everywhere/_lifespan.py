"""Running a FastAPI app's lifespan outside a server.

``app.router.lifespan_context(app)`` is exactly what Starlette runs at server
start-up (``on_startup``/``on_shutdown`` handlers included). The state dict it
yields is what Starlette copies into every request's ``request.state``; we
keep it per app while the lifespan runs, so standalone resolutions see it too.

Like a server, each running lifespan lives in a task of its own, which enters
*and* exits it (a lifespan may open an anyio task group or cancel scope).
Every ``run_lifespan`` of the app shares it, concurrent or nested, in any
order: it starts once and shuts down when the last user leaves.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from ._errors import LifespanError

T = TypeVar("T")

_states: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _new_lock_after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it at fork


os.register_at_fork(after_in_child=_new_lock_after_fork)


def lifespan_state(app: Any) -> dict[str, Any] | None:
    """The state of ``app``'s running lifespan, or None when it is not running."""
    if app is None:
        return None
    try:
        return _states.get(app)
    except TypeError:
        return None


def lifespan_running(app: Any) -> bool:
    """Whether a lifespan of ``app`` is running in this process."""
    return lifespan_state(app) is not None


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # no "exception was never retrieved" log


class _Lifespan:
    """One running lifespan of an app, owned by its own task."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pid = os.getpid()
        self.users = 0
        self.stopping = False
        self.started: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.started.add_done_callback(_retrieve)
        self.stop = asyncio.Event()
        self.task = loop.create_task(
            self._main(app), name=f"fastapi-everywhere lifespan of {app!r}"
        )
        self.task.add_done_callback(_retrieve)

    @property
    def usable(self) -> bool:
        # A forked child inherits entries whose task runs in no thread of its own.
        return (
            self.pid == os.getpid()
            and not self.loop.is_closed()
            and not self.task.done()
        )

    async def _main(self, app: Any) -> None:
        name = type(app).__name__
        try:
            cm = app.router.lifespan_context(app)
            try:
                maybe_state = await cm.__aenter__()
            except Exception as e:
                err = LifespanError(f"lifespan of {name} failed at start-up: {e!r}")
                err.__cause__ = e
                self.started.set_exception(err)
                return
            except BaseException:
                self.started.cancel()
                raise
            state: dict[str, Any] = dict(maybe_state or {})
            _states[app] = state
            self.started.set_result(state)
            try:
                await self.stop.wait()
            finally:
                # In a forked child that garbage-collects the parent's task,
                # neither the resources nor the state entry are its own.
                if self.pid == os.getpid():
                    await self._shut_down(app, cm, state)
        finally:
            if self.pid == os.getpid():
                with _lock:
                    if _running.get(app) is self:
                        del _running[app]

    async def _shut_down(self, app: Any, cm: Any, state: dict[str, Any]) -> None:
        if _states.get(app) is state:  # not a newer lifespan's
            del _states[app]
        # A server never throws into the lifespan: it shuts down cleanly, so
        # code after a bare ``yield`` always runs.
        try:
            await cm.__aexit__(None, None, None)
        except Exception as e:
            name = type(app).__name__
            raise LifespanError(f"lifespan of {name} failed at shutdown: {e!r}") from e

    async def _on_loop(self, fn: Callable[[], Awaitable[T]]) -> T:
        if asyncio.get_running_loop() is self.loop:
            return await fn()

        async def run() -> T:
            return await fn()

        future = asyncio.run_coroutine_threadsafe(run(), self.loop)
        return await asyncio.wrap_future(future)

    async def wait_started(self) -> dict[str, Any]:
        return await self._on_loop(lambda: asyncio.shield(self.started))

    async def wait_done(self) -> None:
        await self._on_loop(lambda: asyncio.wait([self.task]))

    async def release(self) -> None:
        with _lock:
            self.users -= 1
            if self.users > 0:
                return
            self.stopping = True

        async def stop() -> None:
            self.stop.set()
            await asyncio.shield(self.task)

        await self._on_loop(stop)


_running: weakref.WeakKeyDictionary[Any, _Lifespan] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def run_lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Start ``app``'s lifespan (or join the running one), yield its state.

    Start-up failures raise :class:`LifespanError` and leave nothing behind;
    so does a failing shutdown, when the block itself raised nothing.
    """
    router = getattr(app, "router", None)
    if router is None or not hasattr(router, "lifespan_context"):
        raise LifespanError(f"run_lifespan: {app!r} is not a FastAPI/Starlette app")
    while True:
        with _lock:
            entry = _running.get(app)
            if entry is None or not entry.usable:
                entry = _running[app] = _Lifespan(app, asyncio.get_running_loop())
            if not entry.stopping:
                entry.users += 1
                break
        await entry.wait_done()  # shutting down: start afresh afterwards
    try:
        state = await entry.wait_started()
    except BaseException:
        with suppress(Exception):
            await entry.release()
        raise
    try:
        yield state
    except BaseException as exc:
        try:
            await entry.release()
        except Exception as e:
            if hasattr(exc, "add_note"):  # Python >= 3.11
                exc.add_note(f"lifespan shutdown also failed: {e!r}")
        raise
    await entry.release()
