"""Django's thread-sensitive executor for an async view's sync dependencies.

:class:`ThreadSensitive` is the ``run_sync`` of an async view's request
scope: sync work goes where Django's ``sync_to_async(thread_sensitive=True)``
would run it for this request, so ORM calls share one connection.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

__all__ = ["ThreadSensitive"]


class ThreadSensitive:
    """``run_sync`` for async views: Django's thread-sensitive ``sync_to_async``.

    The view's dependencies run on the shared loop thread, but their sync
    parts must run where Django would run ``sync_to_async(thread_sensitive=True)``
    work for this request (the request's sync thread), so ORM calls share one
    connection. asgiref decides that from state it keeps per thread, which a
    loop in another thread cannot see: each call is therefore sent back to
    the loop that awaits the view (:meth:`bind`) and started there. At close
    the thread that closes the request serves them itself (:meth:`serve_while`)
    when it is that same thread: blocked on the loop, it would deadlock if
    asgiref sent the teardown back to it.
    """

    __slots__ = ("_context", "_loop", "_serving", "thread", "timeout")

    def __init__(self, timeout: float | None = None) -> None:
        self._serving: queue.SimpleQueue[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: contextvars.Context | None = None
        self.thread: int | None = None
        #: Seconds :meth:`run_here` waits for the request's thread (None: no limit).
        self.timeout = timeout

    def bind(self) -> None:
        """Remember the calling loop and context: the view's (call it there)."""
        self._loop = asyncio.get_running_loop()
        self._context = contextvars.copy_context()

    async def __call__(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        # The call and its result travel in a box that _run and _send empty:
        # on Python 3.10 asgiref's frames can outlive the call in a traceback
        # cycle of its own, and they would keep the step, its result (the
        # request's values) alive.
        job: list[Any] = [(fn, args)]
        if self._serving is None and self._loop is asyncio.get_running_loop():
            await _on_request_thread(self, job)  # the view's loop (the usual case)
        else:
            await self._send(job)
        return job.pop()

    async def _send(self, job: list[Any]) -> None:
        # Runs job's call on the request's thread; leaves its result in job.
        serving = self._serving
        if serving is not None:
            fn, args = job.pop()
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            serving.put((future, contextvars.copy_context(), fn, args))
            job.append(await asyncio.wrap_future(future))
            return
        loop, context = self._loop, self._context
        if (
            loop is None
            or context is None
            or loop.is_closed()
            or loop is asyncio.get_running_loop()
        ):
            await _on_request_thread(self, job)
        else:
            handed = context.run(
                asyncio.run_coroutine_threadsafe, _on_request_thread(self, job), loop
            )
            await asyncio.wrap_future(handed)

    def run_here(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        """``fn(*args)`` on the request's sync thread, from any other thread.

        The request's sync teardown, when the request is closed: on that
        thread (Django's ASGI handler closes the response there) at once,
        else sent there through the view's loop and waited for (a test
        client closing it on a thread of its own). Never on the loop thread.
        When asgiref can no longer reach that thread, or the view's loop
        stops before it started ``fn``, ``fn`` runs here; a wait longer than
        ``timeout`` (when set) raises ``TimeoutError``.
        """
        loop = self._loop
        if (
            self.thread is None
            or self.thread == threading.get_ident()
            or loop is None
            or loop.is_closed()
            or not loop.is_running()  # nothing would ever run what is sent
        ):
            return fn(*args)
        call = (fn, args)
        job: list[Any] = [call]
        # In the caller's context: the request task's, where asgiref keeps
        # which thread is this request's.
        sent = asyncio.run_coroutine_threadsafe(self._send(job), loop)
        try:
            self._wait(sent, loop, job, call)
        except RuntimeError:
            if not job or job[0] is not call:
                raise  # fn ran and raised it
        except _NotStarted:
            pass
        else:
            return job.pop()
        # asgiref refused before running fn: the executor this request's
        # context names has quit (a sync-only middleware's async_to_sync
        # returned before the client closed the response on a thread of its
        # own), or it would deadlock; or the loop stopped first. No thread
        # runs this request's sync work any more: the teardown runs here
        # rather than not at all (outside the except block: an error of
        # fn's is not chained to the refusal).
        job.clear()
        return fn(*args)

    def _wait(
        self,
        sent: concurrent.futures.Future[Any],
        loop: asyncio.AbstractEventLoop,
        job: list[Any],
        call: tuple[Any, ...],
    ) -> None:
        """Wait for ``sent``, checking the loop that should run it meanwhile."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            try:
                sent.result(_CHECK_EVERY)
                return
            except concurrent.futures.TimeoutError:
                pass
            if loop.is_closed() or not loop.is_running():
                # Stopped: what it has not started never will be. Taking the
                # call back from the job (atomic) tells who runs it.
                try:
                    taken = job.pop()
                except IndexError:
                    taken = None
                if taken is call:
                    raise _NotStarted
                if taken is not None:
                    job.append(taken)  # fn's result, in the nick of time
                    return
                raise RuntimeError(
                    "fastapi_everywhere.django: the event loop of an async view "
                    "stopped while its request's sync teardown ran on the "
                    "request's thread; its outcome is unknown"
                )
            if deadline is not None and time.monotonic() > deadline:
                sent.cancel()
                raise TimeoutError(
                    "fastapi_everywhere.django: the request's sync teardown did "
                    f"not finish on the request's thread within {self.timeout} s "
                    "(the TIMEOUT setting)"
                )

    def serve_while(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on a helper thread; run sync work sent here meanwhile."""
        work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        done = object()
        errors: list[BaseException] = []

        def run() -> None:
            try:
                fn(*args)
            except BaseException as e:  # re-raised on the serving thread
                errors.append(e)
            finally:
                work.put(done)

        self._serving = work
        helper = threading.Thread(target=run, name="fastapi-everywhere close")
        helper.start()
        try:
            while (item := work.get()) is not done:
                future, ctx, func, func_args = item
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(ctx.run(func, *func_args))
                    except BaseException as e:  # handed to the awaiting side
                        future.set_exception(e)
        finally:
            self._serving = None
            helper.join()
        if errors:
            raise errors[0]


class _NotStarted(Exception):
    """The loop stopped before it started what :meth:`ThreadSensitive.run_here` sent."""


#: How often (seconds) ``run_here`` checks that the loop it waits on still runs.
_CHECK_EVERY = 0.05


def _run(runner: ThreadSensitive, job: list[Any]) -> None:
    fn, args = job.pop()
    if runner.thread is None:
        runner.thread = threading.get_ident()
    job.append(fn(*args))  # the result, for the caller to take


#: One ``SyncToAsync`` for every call: asgiref's set-up (its checks of the
#: function) is paid once per process, not per sync step.
_on_request_thread = sync_to_async(_run, thread_sensitive=True)
