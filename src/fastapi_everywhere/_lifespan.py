"""Running a FastAPI app's lifespan outside a server.

``app.router.lifespan_context(app)`` is exactly what Starlette runs at server
start-up (``on_startup``/``on_shutdown`` handlers included). The state dict it
yields is what Starlette copies into every request's ``request.state``; we
keep it per app while the lifespan runs, so standalone resolutions see it too.

Like a server, each running lifespan lives in a task of its own, which enters
*and* exits it (a lifespan may open an anyio task group or cancel scope).
Every ``run_lifespan`` of the app shares it, concurrent or nested, in any
order: it starts once and shuts down when the last user leaves.

A start-up never waits silently. ``lifespan_context = None`` runs the
router's ``on_startup``/``on_shutdown`` handlers as Starlette did; a
``lifespan_context`` that does not return an async context manager fails at
once; a start-up that has not reached its ``yield`` within the start-up limit
(``configure(lifespan_timeout=...)``, or an adapter's setting) is cancelled
and fails. Each failure is a :class:`LifespanError` naming the app.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, NamedTuple, TypeVar

from . import _config
from ._errors import LifespanError
from ._opening import OWN, describe_app, mark_opening, open_lifespan

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


def is_served(app: Any) -> bool:
    """Whether a server runs ``app``'s lifespan in this process (on its loop)."""
    entry = _running.get(app) if app is not None else None
    return entry is not None and entry.served and entry.usable


def lifespan_loop(app: Any) -> asyncio.AbstractEventLoop | None:
    """The loop ``app``'s running lifespan lives on (its resources' loop), if any."""
    try:
        entry = _running.get(app) if app is not None else None
    except TypeError:
        return None
    if entry is None or not entry.usable or not entry.up:
        return None
    return entry.loop


class StartupLimit(NamedTuple):
    """How long a lifespan start-up may take, and the setting that says so."""

    seconds: float
    setting: str


def default_limit() -> StartupLimit:
    """The process-wide limit set with ``configure(lifespan_timeout=...)``."""
    return StartupLimit(
        _config.lifespan_timeout(), "fastapi_everywhere.configure(lifespan_timeout=...)"
    )


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # no "exception was never retrieved" log


class _Lifespan:
    """One running lifespan of an app, owned by its own task."""

    def __init__(
        self,
        app: Any,
        loop: asyncio.AbstractEventLoop,
        limit: StartupLimit,
        factory: Any = OWN,
    ) -> None:
        self.loop = loop
        self.factory = factory
        self.pid = os.getpid()
        self.users = 0
        self.stopping = False
        self.limit = limit
        self.timed_out = False
        #: Whether a server runs it (the server's loop is the one that serves).
        self.served = False
        self.started: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.started.add_done_callback(_retrieve)
        self.stop = asyncio.Event()
        self.task = loop.create_task(
            self._main(app), name=f"fastapi-everywhere lifespan of {app!r}"
        )
        self.task.add_done_callback(_retrieve)

    @property
    def usable(self) -> bool:
        # A forked child inherits entries whose task runs in no thread of its
        # own; a timed-out start-up may linger, cancelled: never join either.
        return (
            self.pid == os.getpid()
            and not self.loop.is_closed()
            and not self.task.done()
            and not self.timed_out
        )

    @property
    def up(self) -> bool:
        """Whether start-up finished and succeeded."""
        started = self.started
        return started.done() and not started.cancelled() and not started.exception()

    def _fail(self, error: LifespanError) -> None:
        if not self.started.done():  # a timed-out start-up failed already
            self.started.set_exception(error)

    def _time_out(self, app: Any) -> None:
        if self.started.done():
            return
        self.timed_out = True
        seconds, setting = self.limit
        self._fail(
            LifespanError(
                f"the lifespan of {describe_app(app)} did not finish start-up "
                f"within {seconds:g} s (its code before `yield` never returned); "
                f"it was cancelled. Fix the start-up, or raise the limit with "
                f"{setting}"
            )
        )
        self.task.cancel()

    async def _start(self, app: Any) -> tuple[Any, Any]:
        """Enter the lifespan, bounded by the start-up limit; (cm, its state)."""
        timer = self.loop.call_later(self.limit.seconds, self._time_out, app)
        try:
            cm = open_lifespan(app, self.factory)
            return cm, await cm.__aenter__()
        except asyncio.CancelledError:
            if not self.timed_out:
                raise
            uncancel = getattr(self.task, "uncancel", None)  # Python >= 3.11
            if uncancel is not None:
                uncancel()
            return None, None
        finally:
            timer.cancel()

    async def _main(self, app: Any) -> None:
        mark_opening()  # in this task's own context
        name = describe_app(app)
        try:
            try:
                cm, maybe_state = await self._start(app)
            except LifespanError as e:
                self._fail(e)
                return
            except Exception as e:
                err = LifespanError(f"the lifespan of {name} failed at start-up: {e!r}")
                err.__cause__ = e
                self._fail(err)
                return
            except BaseException:
                self.started.cancel()
                raise
            if self.timed_out:
                if cm is not None:  # it swallowed the cancellation and finished late
                    await cm.__aexit__(None, None, None)
                return
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
            name = describe_app(app)
            raise LifespanError(
                f"the lifespan of {name} failed at shutdown: {e!r}"
            ) from e

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
            if self.up:
                await asyncio.shield(self.task)  # raises a failed shutdown
                return
            # Start-up failed, or nobody waits for it any more: cancel it, and
            # give it (bounded) time to clean up.
            self.task.cancel()
            await asyncio.wait([self.task], timeout=self.limit.seconds)

        await self._on_loop(stop)


_running: weakref.WeakKeyDictionary[Any, _Lifespan] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def run_lifespan(
    app: Any,
    *,
    owner: str = "run_lifespan",
    limit: StartupLimit | None = None,
    served: bool = False,
    factory: Any = OWN,
) -> AsyncIterator[dict[str, Any]]:
    """Start ``app``'s lifespan (or join the running one), yield its state.

    Start-up failures raise :class:`LifespanError` (its message starts with
    ``owner``, the caller's name) and leave nothing behind; so does a start-up
    that did not finish within ``limit`` (default: :func:`default_limit`,
    read when this call starts the lifespan), and a failing shutdown, when
    the block itself raised nothing. ``served``: the caller is a server
    running the app's lifespan on its loop (a lifespan this call starts is
    marked so). ``factory``: the lifespan to open, if not the router's own
    (a server's wrapper opens only what it wraps).
    """
    router = getattr(app, "router", None)
    if router is None or not hasattr(router, "lifespan_context"):
        raise LifespanError(f"{owner}: {app!r} is not a FastAPI/Starlette app")
    while True:
        with _lock:
            entry = _running.get(app)
            if entry is None or not entry.usable:
                loop = asyncio.get_running_loop()
                entry = _Lifespan(app, loop, limit or default_limit(), factory)
                entry.served = served
                _running[app] = entry
            if not entry.stopping:
                entry.users += 1
                break
        await entry.wait_done()  # shutting down: start afresh afterwards
    try:
        state = await entry.wait_started()
    except BaseException as exc:
        with suppress(Exception):
            await entry.release()
        if isinstance(exc, LifespanError):
            raise LifespanError(f"{owner}: {exc}") from exc.__cause__
        raise
    try:
        yield state
    except BaseException as exc:
        try:
            await entry.release()
        except Exception as e:
            if hasattr(exc, "add_note"):  # Python >= 3.11
                exc.add_note(f"lifespan shutdown also failed: {e!r}")  # pyright: ignore[reportAttributeAccessIssue]
        raise
    await entry.release()
