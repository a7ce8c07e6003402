"""One Django request's FastAPI side: its scope (its data: ``_source``).

The middleware attaches a :class:`RequestState` to every request; a decorated
view without the middleware attaches its own. The :class:`RequestScope` under
it is opened on first use (a request that resolves nothing pays nothing) and
closed when Django closes the response: after the body was sent, for a
streaming response after its last chunk.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponseBase

from .._engine._compat import TEARDOWN_BEFORE_RESPONSE
from .._host import ProcessLifespan, RequestScope
from . import _settings
from ._source import DjangoSource
from ._threads import ThreadSensitive

__all__ = [
    "RequestState",
    "attach",
    "defer_close",
    "lifespan_to_start",
    "state_of",
]

log = logging.getLogger("fastapi_everywhere.django")

_ATTR = "_fastapi_everywhere"

# -- the request's FastAPI side ------------------------------------------------


class RequestState:
    """The FastAPI side of one Django request.

    ``managed`` is true when :class:`FastAPIDependsMiddleware` owns it (the
    middleware closes it); a decorated view without the middleware closes
    its own.
    """

    __slots__ = (
        "__weakref__",
        "_runner",
        "app",
        "config",
        "ended",
        "lifespan",
        "managed",
        "scope",
    )

    def __init__(self, *, managed: bool) -> None:
        # No reference to the request, which holds the state: a cycle would
        # leave every request to the garbage collector, even one that never
        # opens its scope (an undecorated view under the middleware).
        self.managed = managed
        # Read once per request: the setting, the app it names (else
        # configure()'s) and that app's process lifespan (None: no app).
        config = self.config = _settings.current()
        app = self.app = _settings.configured_app(config)
        self.lifespan = config.lifespan_for(app)
        self.scope: RequestScope | None = None
        self._runner: ThreadSensitive | None = None
        #: The response was closed: the scope is let go (see close_logged).
        self.ended = False

    def __repr__(self) -> str:
        owner = "middleware" if self.managed else "view"
        return f"<RequestState ({owner}) {self.scope!r}>"

    def open(
        self,
        request: HttpRequest,
        path_params: Mapping[str, Any] | None = None,
        host: Any = None,
    ) -> RequestScope:
        """The scope of ``request`` (this state's), opened on first use.

        ``path_params`` are the URL kwargs (default: the resolver match's);
        ``host`` is the view's request when it is DRF's ``Request``.
        """
        scope = self.scope
        if scope is not None and host is not None:
            assert isinstance(scope.source, DjangoSource)
            scope.source.use_host(host)
        if scope is None:
            if self.ended:
                raise RuntimeError(
                    "fastapi_everywhere.django: this request's FastAPI scope was "
                    "closed with its response; nothing can be resolved in it now"
                )
            if path_params is None:
                match = getattr(request, "resolver_match", None)
                path_params = match.kwargs if match is not None else None
            # No thread-sensitive runner until the async side needs one (bind_loop).
            scope = self.scope = RequestScope(
                DjangoSource(request, app=self.app, path_params=path_params, host=host),
                name=f"Django request {request.method} {request.path}",
                timeout=self.config.timeout,
                logger=log,
            )
        return scope

    def bind_loop(self) -> None:
        """Send sync work of async dependencies back to the calling loop.

        Call it before the open scope's async side runs anything: the first
        call gives the scope its thread-sensitive runner.
        """
        runner, scope = self._runner, self.scope
        if runner is None and scope is not None:
            runner = self._runner = ThreadSensitive(scope.timeout)
            scope.run_sync, scope.run_sync_exit = runner, runner.run_here
        if runner is not None:
            runner.bind()

    def close(self, exc: BaseException | None = None) -> None:
        """Background tasks then teardown; with ``exc``, thrown into teardown."""
        scope = self.scope
        if scope is not None and not scope.closed:
            self._on_request_thread(scope.close, exc)

    def _on_request_thread(self, fn: Callable[..., None], *args: Any) -> None:
        # Only async teardown, waited for on the loop, may send sync work
        # back to this thread (the request's): then serve it meanwhile.
        runner, scope = self._runner, self.scope
        if (
            runner is not None
            and runner.thread == threading.get_ident()
            and scope is not None
            and scope.closes_on_loop
        ):
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

    def close_logged(self, exc: BaseException | None = None) -> None:
        """:meth:`close` as a response closer: errors are logged, not raised."""
        scope = self.scope
        if scope is not None:
            try:
                if exc is not None or scope.closes_on_loop:
                    scope.close_sent(functools.partial(self.close, exc))
                elif not scope.closed:  # no wait on the loop: nothing to serve
                    scope.close_sent()
            finally:
                # The request's end: let the scope go now. The state stays on
                # the request, which Django's ASGI handler leaves in a cycle:
                # what the scope holds (its cache, runner, tasks) would wait
                # for the cyclic garbage collector with it.
                self.scope = self._runner = None
                self.ended = True


def state_of(request: HttpRequest) -> RequestState | None:
    """The state attached to ``request``, if any."""
    state: RequestState | None = getattr(request, _ATTR, None)
    return state


def attach(request: HttpRequest, *, managed: bool) -> RequestState:
    """Attach a fresh state to ``request`` and return it."""
    state = RequestState(managed=managed)
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
    config = _settings.current()
    return config.lifespan_for(_settings.configured_app(config))


def lifespan_to_start(state: RequestState | None = None) -> ProcessLifespan | None:
    """The process lifespan if it still has to start in this process, else None.

    ``state``: a request's, whose lifespan was read when it was attached.
    """
    lifespan = process_lifespan() if state is None else state.lifespan
    if lifespan is None or lifespan.running:
        return None
    return lifespan
