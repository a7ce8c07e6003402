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

__all__ = ["asgi_scope", "request_body"]

# Headers the WSGI environ keeps outside the HTTP_ namespace (PEP 3333).
_UNPREFIXED = {"CONTENT_TYPE": b"content-type", "CONTENT_LENGTH": b"content-length"}


def _wsgi_str(value: str) -> str:
    """A PEP 3333 native string (bytes as latin-1) decoded as the UTF-8 it is."""
    return value.encode("latin-1").decode("utf-8", "replace")


def _header_name(key: str) -> bytes | None:
    if key.startswith("HTTP_"):
        return key[5:].replace("_", "-").lower().encode("latin-1")
    return _UNPREFIXED.get(key)


# environ key -> ASGI header name (None: not a header). Bounded: header names
# come from clients.
_NAMES: dict[str, bytes | None] = {}
_NAMES_MAX = 2048


def _headers(environ: Mapping[str, Any]) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = []
    names = _NAMES
    for key, value in environ.items():
        try:
            name = names[key]
        except KeyError:
            name = _header_name(key)
            if len(names) < _NAMES_MAX:
                names[key] = name
        # Servers set an empty CONTENT_LENGTH when there is no body.
        if name is not None and (value or not name.startswith(b"content-")):
            headers.append((name, str(value).encode("latin-1")))
    return headers


def _address(host: Any, port: Any) -> tuple[str, int] | None:
    if not host:
        return None
    try:
        return (str(host), int(port or 0))
    except ValueError:  # a unix socket path, for example
        return (str(host), 0)


def _raw_path(environ: Mapping[str, Any], path: str) -> bytes:
    # gunicorn sets RAW_URI, werkzeug's server REQUEST_URI: the path as sent.
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if uri:
        return str(uri).split("?", 1)[0].encode("latin-1")
    return quote(path).encode("latin-1")


def asgi_scope(
    request: Request, path_params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ASGI HTTP scope of ``request``; ``path_params`` are the Flask ``view_args``."""
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
        "headers": _headers(environ),
        "client": _address(environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT")),
        "server": _address(environ.get("SERVER_NAME"), environ.get("SERVER_PORT")),
        "path_params": dict(path_params or {}),
    }


def request_body(request: Request) -> bytes:
    """The raw body, cached on the request so the view can still read it.

    ``get_data(cache=True)`` keeps the bytes; werkzeug parses ``request.form``
    and ``request.get_json()`` from that cache afterwards. A request with no
    ``Content-Length`` and no chunked body has none (nothing to read).
    """
    environ = request.environ
    if not environ.get("CONTENT_LENGTH") and "chunked" not in environ.get(
        "HTTP_TRANSFER_ENCODING", ""
    ):
        return b""
    return request.get_data(cache=True)
