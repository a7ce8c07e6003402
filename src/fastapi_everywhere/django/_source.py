"""One Django request's data, as the engine reads it.

:class:`DjangoSource` translates the ``HttpRequest`` (WSGI or ASGI) into what
FastAPI's parameters read: headers, the ASGI scope, the body (read only when
a dependency reads it, and left readable for the view).
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream, WSGIRequest
from django.http import HttpRequest
from django.http.request import RawPostDataException
from django.utils.encoding import escape_uri_path
from starlette.datastructures import Headers

from .._source import EnvironHeaders, HostSource, address, environ_headers
from ._parsed import encode_parsed

__all__ = ["SOURCE_KEY", "DjangoSource"]

#: The ASGI scope key under which a Django request's scope holds (weakly) its
#: :class:`DjangoSource`: how a dependency reaches the Django request.
SOURCE_KEY = "fastapi_everywhere.django.source"


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
        # Under WSGI ``META`` is the environ; under ASGI Django read the
        # body into a buffer before the view ran.
        wsgi = _server_scope(http) is None
        super().__init__(
            http,
            app=app,
            path_params=path_params,
            environ=http.META if wsgi else None,
        )
        self.body_blocks = wsgi
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
