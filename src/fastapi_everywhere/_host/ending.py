"""The end of a host request, in FastAPI's order.

:class:`RequestEnd` is the half of :class:`~fastapi_everywhere._host.request.RequestScope`
that ends the request: FastAPI < 0.118 tears down before the response is
sent (:meth:`RequestEnd.respond`); later versions after it
(:meth:`RequestEnd.close_sent`, errors logged); :meth:`RequestEnd.close` runs
the background tasks and request-scoped teardown in ``END_ORDER``.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.background import BackgroundTasks

from .._bridge import loop as _loop
from .._bridge.drive import Exits
from .._bridge.owner import OwnerTask
from .._engine._compat import TEARDOWN_BEFORE_BACKGROUND, TEARDOWN_BEFORE_RESPONSE
from .._errors import LoopThreadError
from .._lifecycle import end_operation
from .errors import failed_dependency
from .inline import close_sync_exits

__all__ = ["RequestEnd"]


class RequestEnd:
    """Ending one host request (a base class of ``RequestScope``)."""

    name: str
    timeout: float | None
    logger: logging.Logger
    closed: bool
    background_tasks: BackgroundTasks | None
    run_sync: Callable[..., Awaitable[Any]]
    _lock: threading.RLock
    _torn_down: bool
    _invalid: BaseException | None
    _async: OwnerTask | None
    _async_exits: Exits | None
    _async_context: contextvars.Context | None
    _owner: OwnerTask | None
    _request_exits: Exits | None
    _sync_exits: list[Any] | None

    def respond(self, *, streaming: bool = False) -> None:
        """The host's response is ready to be sent: FastAPI < 0.118 tears down now.

        Those versions closed request-scoped ``yield`` dependencies before
        sending the response, so a teardown error raises here (the host
        answers 500, as FastAPI's server did) and no background task runs.
        Later versions tear down after the response was sent (see
        :meth:`close_sent`): then this does nothing. A ``streaming`` body
        keeps them open on every version (closing them before it was the
        bug 0.118 fixed). Not on the loop thread.
        """
        if not TEARDOWN_BEFORE_RESPONSE or streaming:
            return
        _loop.check_not_loop_thread(f"{self.name}: respond")
        with self._lock:
            if self.closed or self._torn_down:
                return
            error = self._teardown(None)
            if error is not None:
                self.closed = True  # FastAPI runs no background task either
                raise error

    def close_sent(self, close: Callable[[], None] | None = None) -> None:
        """:meth:`close` (or ``close``, the host's wrapper of it) after the response was sent.

        A teardown or background-task error can no longer change the
        response: it is logged, naming the failing dependency, as FastAPI's
        server logs it, and not raised.
        """
        try:
            (close or self.close)()
        except Exception as error:
            self.logger.error(
                "%s: teardown failed after the response was sent (dependency %s)",
                self.name,
                failed_dependency(error),
                exc_info=error,
            )

    def close(self, exc: BaseException | None = None) -> None:
        """End the request: background tasks, then request-scoped teardown.

        With ``exc`` (the view failed) no background task runs and ``exc`` is
        thrown into the ``yield`` dependencies (so a transaction rolls back);
        it is not raised again here, but an error raised by teardown or a
        background task is. Idempotent; not on the loop thread when
        something of the request waits there (an async dependency's exit, a
        background task): :class:`LoopThreadError` then.
        """
        if (
            # Only a request with something on the loop waits there.
            self._owner is not None
            or self._async is not None
            or self.background_tasks is not None
        ) and _loop.in_loop_thread():
            _loop.check_not_loop_thread(f"{self.name}: close")
        with self._lock:
            if self.closed:
                return
            self.closed = True
            if (
                exc is None
                and self._request_exits is None
                and self.background_tasks is None
                and self._async is None
                and self._owner is None
                and not self._torn_down
            ):
                # The usual sync request: at most sync exits entered inline.
                # _teardown(None) in this frame (a call less per request).
                self._torn_down = True
                gens, self._sync_exits = self._sync_exits, None
                error = None if gens is None else close_sync_exits(gens, None)
            elif (
                exc is not None and exc is self._invalid and TEARDOWN_BEFORE_BACKGROUND
            ):
                # FastAPI < 0.120 closed the dependencies before raising a
                # validation error: they never saw it.
                error = self._teardown(None)
            elif self.background_tasks is None:  # END_ORDER without tasks
                error = self._teardown(exc)
            else:  # the view's function scope closed when it returned
                tasks = self.background_tasks
                error = end_operation(
                    exc,
                    background=None if tasks is None else self._run_background,
                    request=self._teardown,
                )
            if error is not None and error is not exc:
                raise error

    async def aclose(self, exc: BaseException | None = None) -> None:
        """:meth:`close`, awaitable from any event loop (runs via ``run_sync``)."""
        await self.run_sync(self.close, exc)

    def _run_background(self) -> None:
        tasks = self.background_tasks
        if tasks is None:
            return
        for task in tasks.tasks:
            if task.is_async:
                fn = functools.partial(task.func, *task.args, **task.kwargs)
                runner = OwnerTask(f"{self.name} background task", self.timeout)
                if self._async is not None:  # where the async side ran
                    runner.on(self._async)
                runner.call(fn, last=True)
            else:
                task.func(*task.args, **task.kwargs)

    def _teardown(self, exc: BaseException | None) -> BaseException | None:
        """Close both sides (async, then sync); return the error left, if any."""
        if self._torn_down:  # by respond(): only background tasks were left
            return exc
        self._torn_down = True
        if self._async is not None:
            exc = self._close_async(exc)
        if self._request_exits is not None:
            exc = self._request_exits.close(exc)
            self._request_exits = None  # its driver is this request: no cycle left
        elif self._sync_exits is not None:  # only sync exits, entered inline
            gens, self._sync_exits = self._sync_exits, None
            exc = close_sync_exits(gens, exc)
            if self._owner is not None:
                self._owner.finish()
        elif self._owner is not None:
            self._owner.finish()
        return exc

    def _close_async(self, exc: BaseException | None) -> BaseException | None:
        """The async side's exits: sync ones here, async ones in its task.

        The task ends with its last segment (FastAPI's request stack); when
        nothing async is left to exit it is told to end without a wait.
        """
        owner = self._async
        assert owner is not None
        if owner.on_its_thread():
            raise LoopThreadError(
                f"{self.name}: close() was called on the thread of the event "
                "loop its async dependencies run on (a deadlock); use aclose()"
            )
        exits, self._async_exits = self._async_exits, None
        if exits is None:  # nothing was resolved on that side
            owner.finish()
            return exc
        context, self._async_context = self._async_context, None
        if context is None:
            return exits.close(exc)
        return context.copy().run(exits.close, exc)

    @property
    def closes_on_loop(self) -> bool:
        """Whether :meth:`close` waits on the loop (an async exit is left)."""
        exits = self._async_exits
        return exits is not None and exits.closes_on_loop()
