"""One Django request's FastAPI side: its data for the engine, its scope.

:class:`DjangoSource` translates the ``HttpRequest`` (WSGI or ASGI) into what
FastAPI's parameters read: headers, the ASGI scope, the body. The middleware
attaches a :class:`RequestState` to every request; a decorated view without
the middleware attaches its own. The :class:`RequestScope` under it is opened
on first use (a request that resolves nothing pays nothing) and closed when
Django closes the response: after the body was sent, for a streaming
response after its last chunk.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream, WSGIRequest
from django.http import HttpRequest, HttpResponseBase
from django.http.request import RawPostDataException
from django.utils.encoding import escape_uri_path
from starlette.datastructures import Headers

from .._engine._compat import TEARDOWN_BEFORE_RESPONSE
from .._host import ProcessLifespan, RequestScope
from .._source import EnvironHeaders, HostSource, address, environ_headers
from . import _settings
from ._parsed import encode_parsed
from ._threads import ThreadSensitive

__all__ = [
    "SOURCE_KEY",
    "DjangoSource",
    "RequestState",
    "attach",
    "defer_close",
    "lifespan_to_start",
    "state_of",
]

log = logging.getLogger("fastapi_everywhere.django")

_ATTR = "_fastapi_everywhere"

#: The ASGI scope key under which a Django request's scope holds (weakly) its
#: :class:`DjangoSource`: how a dependency reaches the Django request.
SOURCE_KEY = "fastapi_everywhere.django.source"


# -- the request's data, as the engine reads it ---------------------------------


def _server_scope(request: HttpRequest) -> Mapping[str, Any] | None:
    if type(request) is WSGIRequest:  # none there (and no failed getattr)
        return None
    asgi: Mapping[str, Any] | None = getattr(request, "scope", None)
    if type(asgi) is dict or isinstance(asgi, Mapping):  # a dict: no ABC check
        return asgi if asgi.get("type") == "http" else None
    return None


def _headers(
    request: HttpRequest, asgi: Mapping[str, Any] | None
) -> list[tuple[bytes, bytes]]:
    if asgi is not None:
        return [(bytes(k).lower(), bytes(v)) for k, v in asgi.get("headers", ())]
    return environ_headers(request.META)


def _read_to_terminated_end(request: HttpRequest) -> bool:
    """Let Django read a body the WSGI server terminates (a chunked request).

    Under WSGI Django reads no more than ``Content-Length``, and without one
    (``Transfer-Encoding: chunked``) nothing. A server that sets
    ``wsgi.input_terminated`` (gunicorn) ends the input at the body's end, so,
    as werkzeug does, it is read to its end; ``request.body`` still applies
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``: no more than one byte past it is read.
    Whether the body is read that way.
    """
    meta = request.META
    if (
        meta.get("CONTENT_LENGTH")
        or not meta.get("wsgi.input_terminated")
        or _server_scope(request) is not None  # ASGI: Django reads it all
        or hasattr(request, "_body")
        or getattr(request, "_read_started", True)
    ):
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # Django's own stream type: its close() leaves the server's input open.
    request._stream = LimitedStream(  # pyright: ignore[reportAttributeAccessIssue]
        meta["wsgi.input"], sys.maxsize if limit is None else limit + 1
    )
    return True


class DjangoSource(HostSource[HttpRequest]):
    """A Django request's data for the engine; ``path_params`` are its URL kwargs.

    ``host`` is the request the view was given when it is not ``http``
    itself: DRF's ``Request`` (held weakly, as ``http`` is).
    """

    __slots__ = ("__weakref__", "_host")

    def __init__(
        self,
        http: HttpRequest,
        *,
        app: Any = None,
        path_params: Mapping[str, Any] | None = None,
        host: Any = None,
    ) -> None:
        super().__init__(http, app=app, path_params=path_params)
        # Under ASGI, Django read the body into a buffer before the view ran.
        self.body_blocks = _server_scope(http) is None
        self._host: weakref.ref[Any] | None = None
        self.use_host(host)

    def use_host(self, host: Any) -> None:
        """The view's own request object (DRF's ``Request``); ignored if ``http``."""
        if host is not None and host is not self.http:
            self._host = weakref.ref(host)

    @property
    def host(self) -> Any:
        """The request the view was given: DRF's ``Request`` or the ``HttpRequest``."""
        host = self._host() if self._host is not None else None
        return self.http if host is None else host

    def _drf(self) -> Any:
        return self._host() if self._host is not None else None

    def asgi_scope(self) -> dict[str, Any]:
        """The ASGI HTTP scope FastAPI would see for this request.

        Under ASGI the server's own scope is the source (headers exactly as
        received, client and server addresses); under WSGI it is rebuilt from
        ``request.META``. ``scheme`` is Django's ``request.scheme``, so
        ``SECURE_PROXY_SSL_HEADER`` applies.
        """
        request = self.http
        meta = request.META
        asgi = _server_scope(request)
        headers = _headers(request, asgi)
        if asgi is not None:
            client = asgi.get("client")
            server = asgi.get("server")
            http_version = asgi.get("http_version", "1.1")
            query: Any = asgi.get("query_string", b"")
        else:
            client = address(meta.get("REMOTE_ADDR"), meta.get("REMOTE_PORT"))
            server = address(meta.get("SERVER_NAME"), meta.get("SERVER_PORT"))
            protocol = str(meta.get("SERVER_PROTOCOL", "HTTP/1.1"))
            http_version = protocol.partition("/")[2] or "1.1"
            # PEP 3333: the query string is bytes decoded as latin-1.
            query = str(meta.get("QUERY_STRING", "")).encode("latin-1")
        path = request.path
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": http_version,
            "method": request.method or "GET",
            "scheme": request.scheme or "http",
            # ASGI's path includes root_path, as Django's request.path does.
            "path": path,
            "raw_path": escape_uri_path(path).encode("ascii"),
            "root_path": meta.get("SCRIPT_NAME", "") or "",
            "query_string": query.encode("latin-1")
            if isinstance(query, str)
            else query,
            "headers": headers,
            "client": tuple(client) if client else None,
            "server": tuple(server) if server else None,
            SOURCE_KEY: weakref.ref(self),
        }

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The ASGI header list (the scope's ``headers``)."""
        request = self.http
        return _headers(request, _server_scope(request))

    def header_map(self) -> Headers:
        """Under WSGI read from ``request.META`` as needed, not all rebuilt."""
        request = self.http
        asgi = _server_scope(request)
        if asgi is None:
            return EnvironHeaders(request.META)
        return Headers(raw=_headers(request, asgi))

    def read_body(self) -> bytes | None:
        """The raw body of ``request``, read when a dependency first needs it.

        Reading ``request.body`` caches it, so ``request.POST`` and
        ``request.FILES`` still work afterwards. Over
        ``DATA_UPLOAD_MAX_MEMORY_SIZE`` Django refuses it (``RequestDataTooBig``),
        which the engine reports as FastAPI does an unreadable body (400). A
        multipart body Django already parsed (``request.POST`` was read first)
        is encoded again from its parsed fields and files, a JSON body DRF
        parsed from ``request.data``; else None, an empty body.
        """
        request = self.http
        terminated = _read_to_terminated_end(request)
        try:
            body = bytes(request.body)
        except RawPostDataException:
            return encode_parsed(request, self._drf())
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if terminated and limit is not None and len(body) > limit:
            # Older Django releases check only Content-Length.
            raise RequestDataTooBig(
                "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
            )
        return body


# -- the request's FastAPI side ------------------------------------------------


class RequestState:
    """The FastAPI side of one Django request.

    ``managed`` is true when :class:`FastAPIDependsMiddleware` owns it (the
    middleware closes it); a decorated view without the middleware closes
    its own.
    """

    __slots__ = ("__weakref__", "_runner", "ended", "managed", "scope")

    def __init__(self, *, managed: bool) -> None:
        # No reference to the request, which holds the state: a cycle would
        # leave every request to the garbage collector, even one that never
        # opens its scope (an undecorated view under the middleware).
        self.managed = managed
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
            config = _settings.current()
            # No thread-sensitive runner until the async side needs one (bind_loop).
            scope = self.scope = RequestScope(
                DjangoSource(
                    request,
                    app=_settings.configured_app(config),
                    path_params=path_params,
                    host=host,
                ),
                name=f"Django request {request.method} {request.path}",
                timeout=config.timeout,
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


def lifespan_to_start() -> ProcessLifespan | None:
    """The process lifespan if it still has to start in this process, else None."""
    lifespan = process_lifespan()
    if lifespan is None or lifespan.running:
        return None
    return lifespan
