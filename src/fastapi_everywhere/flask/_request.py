"""The werkzeug request as an ASGI HTTP scope (the inverse of a WSGI-to-ASGI bridge).

Dependencies read ``Header``/``Cookie``/``Query``/``Path``/``Body`` parameters
and ``request.url``/``request.client`` from this scope, so it carries what the
WSGI environ carries: method, ``SCRIPT_NAME`` as the root path, the raw path
and query string, every header (``Content-Type``/``Content-Length`` included),
client, server, scheme, and the Flask ``view_args`` as path parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request

from .._source import HostSource
from .._wsgi import address, environ_headers

__all__ = ["FlaskSource"]


def _wsgi_str(value: str) -> str:
    """A PEP 3333 native string (bytes as latin-1) decoded as the UTF-8 it is."""
    return value.encode("latin-1").decode("utf-8", "replace")


def _raw_path(environ: Mapping[str, Any], path: str) -> bytes:
    # gunicorn sets RAW_URI, werkzeug's server REQUEST_URI: the path as sent.
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if uri:
        return str(uri).split("?", 1)[0].encode("latin-1")
    return quote(path).encode("latin-1")


class FlaskSource(HostSource[Request]):
    """A werkzeug request's data for the engine; ``path_params`` are its ``view_args``."""

    __slots__ = ()

    def asgi_scope(self) -> dict[str, Any]:
        """The request's ASGI HTTP scope (the base class adds ``view_args``)."""
        request = self.http
        environ = request.environ
        root_path = _wsgi_str(environ.get("SCRIPT_NAME", ""))
        path = root_path + _wsgi_str(environ.get("PATH_INFO", "") or "/")
        protocol = str(environ.get("SERVER_PROTOCOL", "HTTP/1.1"))
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": protocol.partition("/")[2] or "1.1",
            "method": request.method,
            "scheme": environ.get("wsgi.url_scheme", "http"),
            "path": path,
            "raw_path": _raw_path(environ, path),
            "root_path": root_path,
            "query_string": str(environ.get("QUERY_STRING", "")).encode("latin-1"),
            "headers": self.raw_headers(),
            "client": address(environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT")),
            "server": address(environ.get("SERVER_NAME"), environ.get("SERVER_PORT")),
        }

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The ASGI header list (the scope's ``headers``)."""
        request = self.http
        return environ_headers(request.environ)

    def read_body(self) -> bytes | None:
        """The raw body, cached on the request so the view can still read it.

        ``get_data(cache=True)`` keeps the bytes; werkzeug parses ``request.form``
        and ``request.get_json()`` from that cache afterwards. A request with no
        ``Content-Length`` and no chunked body has none (nothing to read).
        """
        request = self.http
        environ = request.environ
        if not environ.get("CONTENT_LENGTH") and "chunked" not in environ.get(
            "HTTP_TRANSFER_ENCODING", ""
        ):
            return b""
        return request.get_data(cache=True)
