"""WSGI environ -> ASGI scope pieces, shared by the Django and Flask adapters.

Both frameworks keep the request's transport data in a PEP 3333 environ
(Django's ``request.META``, werkzeug's ``request.environ``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["address", "environ_headers"]

# Headers the WSGI environ keeps outside the HTTP_ namespace (PEP 3333).
_UNPREFIXED = {"CONTENT_TYPE": b"content-type", "CONTENT_LENGTH": b"content-length"}


def _header_name(key: str) -> bytes | None:
    if key.startswith("HTTP_"):
        return key[5:].replace("_", "-").lower().encode("latin-1")
    return _UNPREFIXED.get(key)


# environ key -> ASGI header name (None: not a header). Bounded: header names
# come from clients.
_NAMES: dict[str, bytes | None] = {}
_NAMES_MAX = 2048


def environ_headers(environ: Mapping[str, Any]) -> list[tuple[bytes, bytes]]:
    """Every request header of ``environ`` as ASGI ``(name, value)`` bytes pairs."""
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


def address(host: Any, port: Any) -> tuple[str, int] | None:
    """An ASGI ``client``/``server`` pair from environ values (None: unknown)."""
    if not host:
        return None
    try:
        return (str(host), int(port or 0))
    except (TypeError, ValueError):  # a unix socket path, for example
        return (str(host), 0)
