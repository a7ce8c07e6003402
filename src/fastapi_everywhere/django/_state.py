"""One Django request's FastAPI request scope, opened lazily, closed once.

The middleware attaches a :class:`RequestState` to every request; a decorated
view without the middleware attaches its own. The :class:`RequestScope` under
it is opened on first use (a request that resolves nothing pays nothing) and
closed when Django closes the response: after the body was sent, for a
streaming response after its last chunk.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponseBase

from .._engine._compat import TEARDOWN_BEFORE_RESPONSE
from .._host import ProcessLifespan, RequestScope
from . import _settings
from ._request import DjangoSource

__all__ = ["RequestState", "attach", "defer_close", "lifespan_to_start", "state_of"]

log = logging.getLogger("fastapi_everywhere.django")

_ATTR = "_fastapi_everywhere"


class _ThreadSensitive:
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

    __slots__ = ("_context", "_loop", "_serving", "thread", "used")

    def __init__(self) -> None:
        self._serving: queue.SimpleQueue[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: contextvars.Context | None = None
        self.used = False
        self.thread: int | None = None

    def bind(self) -> None:
        """Remember the calling loop and context: the view's (call it there)."""
        self._loop = asyncio.get_running_loop()
        self._context = contextvars.copy_context()

    async def __call__(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        self.used = True
        serving = self._serving
        if serving is not None:
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            serving.put((future, contextvars.copy_context(), fn, args))
            return await asyncio.wrap_future(future)
        call = sync_to_async(
            functools.partial(self._run, fn, args), thread_sensitive=True
        )
        loop, context = self._loop, self._context
        if loop is None or context is None or loop.is_closed():
            return await call()
        if loop is asyncio.get_running_loop():
            return await call()
        handed = context.run(asyncio.run_coroutine_threadsafe, call(), loop)
        return await asyncio.wrap_future(handed)

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        if self.thread is None:
            self.thread = threading.get_ident()
        return fn(*args)

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


class RequestState:
    """The FastAPI side of one Django request.

    ``managed`` is true when :class:`FastAPIDependsMiddleware` owns it (the
    middleware closes it); a decorated view without the middleware closes
    its own.
    """

    __slots__ = ("__weakref__", "_runner", "managed", "request", "scope")

    def __init__(self, request: HttpRequest, *, managed: bool) -> None:
        # Until the scope is opened; then only its source holds the request
        # (weakly): the state lives on the request, so a strong reference
        # back would be a cycle for the garbage collector.
        self.request: HttpRequest | None = request
        self.managed = managed
        self.scope: RequestScope | None = None
        self._runner: _ThreadSensitive | None = None

    def __repr__(self) -> str:
        owner = "middleware" if self.managed else "view"
        return f"<RequestState ({owner}) {self.scope!r}>"

    def open(self, path_params: Mapping[str, Any] | None = None) -> RequestScope:
        """The request's scope, opened on first use (URL kwargs as path params)."""
        scope = self.scope
        if scope is None:
            request = self.request
            assert request is not None  # set until the scope exists
            self.request = None
            if path_params is None:
                match = getattr(request, "resolver_match", None)
                path_params = match.kwargs if match is not None else None
            config = _settings.current()
            self._runner = _ThreadSensitive()
            scope = self.scope = RequestScope(
                DjangoSource(
                    request,
                    app=_settings.configured_app(),
                    path_params=path_params,
                ),
                name=f"Django request {request.method} {request.path}",
                run_sync=self._runner,
                timeout=config.timeout,
                logger=log,
            )
        return scope

    def bind_loop(self) -> None:
        """Send sync work of async dependencies back to the calling loop."""
        if self._runner is not None:
            self._runner.bind()

    def close(self, exc: BaseException | None = None) -> None:
        """Background tasks then teardown; with ``exc``, thrown into teardown."""
        scope = self.scope
        if scope is not None and not scope.closed:
            self._on_request_thread(scope.close, exc)

    def _on_request_thread(self, fn: Callable[..., None], *args: Any) -> None:
        runner = self._runner
        if runner is not None and runner.thread == threading.get_ident():
            runner.serve_while(fn, *args)
        else:
            fn(*args)

    async def aclose(self, exc: BaseException | None = None) -> None:
        """:meth:`close` from async code, on the request's sync thread."""
        if self.scope is not None and not self.scope.closed:
            await sync_to_async(self.close, thread_sensitive=True)(exc)

    def respond(self, response: Any) -> None:
        """``response`` is ready: FastAPI < 0.118 tears down here (an error raises)."""
        scope = self.scope
        if TEARDOWN_BEFORE_RESPONSE and scope is not None and not scope.closed:
            streaming = bool(getattr(response, "streaming", False))
            self._on_request_thread(
                functools.partial(scope.respond, streaming=streaming)
            )

    async def arespond(self, response: Any) -> None:
        """:meth:`respond` from async code, on the request's sync thread."""
        scope = self.scope
        if TEARDOWN_BEFORE_RESPONSE and scope is not None and not scope.closed:
            await sync_to_async(self.respond, thread_sensitive=True)(response)

    def close_logged(self) -> None:
        """:meth:`close` as a response closer: errors are logged, not raised."""
        if self.scope is not None:
            self.scope.close_sent(self.close)


def state_of(request: HttpRequest) -> RequestState | None:
    """The state attached to ``request``, if any."""
    state: RequestState | None = getattr(request, _ATTR, None)
    return state


def attach(request: HttpRequest, *, managed: bool) -> RequestState:
    """Attach a fresh state to ``request`` and return it."""
    state = RequestState(request, managed=managed)
    setattr(request, _ATTR, state)
    return state


def defer_close(state: RequestState, response: Any) -> None:
    """Close ``state`` when Django closes ``response`` (after its body was sent).

    ``HttpResponseBase.close()`` runs ``_resource_closers`` once the server
    has sent the body (WSGI ``close()``, Django's ASGI handler, the test
    client; for streaming responses after the last chunk). Not a response
    at all: Django is about to fail the request, so close now.
    """
    closers = getattr(response, "_resource_closers", None)
    if isinstance(response, HttpResponseBase) and isinstance(closers, list):
        closers.append(state.close_logged)
    else:
        state.close()


def process_lifespan() -> ProcessLifespan | None:
    """The FastAPI app's lifespan for this process (None without an app)."""
    return _settings.current().lifespan_for(_settings.configured_app())


def lifespan_to_start() -> ProcessLifespan | None:
    """The process lifespan if it still has to start in this process, else None."""
    lifespan = process_lifespan()
    if lifespan is None or lifespan.running:
        return None
    return lifespan
