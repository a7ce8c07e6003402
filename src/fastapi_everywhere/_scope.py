"""Everything is an ASGI scope: where request parameters come from.

A resolution that needs request data (a ``Header``, a ``Request``, a body...)
gets a real :class:`starlette.requests.Request` built on an ASGI HTTP scope.
That scope is assembled here, lazily, from:

* ``ParamSource`` values (``query=``, ``path=``, ``headers=``, ``cookies=``),
* a static ``scope={...}`` given at decoration,
* a call-time ``_scope=`` (for example a real FastAPI ``request.scope``),
* or a host framework's request (Django, Flask), through the same seam.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.types import Message, Receive

from ._app_state import STANDALONE_APP

__all__ = [
    "ParamSource",
    "ScopeSpec",
    "asgi_request",
    "build_request",
    "make_receive",
    "scope_headers",
]

Values = Mapping[str, Any]


class ParamSource:
    """Values for one parameter source (query, path, headers or cookies).

    ``values`` maps a parameter's *request name* (its alias, e.g.
    ``"x-token"`` for ``x_token: str = Header()``) to a string or a list of
    strings; FastAPI coerces and validates them exactly as it does request
    data. ``default`` fills every *required* parameter of this source that has
    no value (optional parameters keep their own defaults).
    """

    __slots__ = ("default", "values")

    def __init__(
        self, values: Values | None = None, default: str | None = None
    ) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.default = default

    def __repr__(self) -> str:
        return f"ParamSource(values={self.values!r}, default={self.default!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ParamSource)
            and self.values == other.values
            and self.default == other.default
        )

    __hash__ = None  # type: ignore[assignment]


SourceLike = ParamSource | Values | None


def as_source(value: SourceLike, *, name: str, owner: str) -> ParamSource | None:
    """Accept a ``ParamSource``, a plain mapping or None; reject anything else."""
    if value is None or isinstance(value, ParamSource):
        return value
    if isinstance(value, Mapping):
        return ParamSource(value)
    raise TypeError(
        f"{owner}: {name}= takes a ParamSource or a mapping of names to strings, "
        f"got {type(value).__name__}"
    )


def _str(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pairs(values: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            for item in value:
                yield key, _str(item)
        else:
            yield key, _str(value)


class ScopeSpec:
    """The inputs of one resolution's ASGI scope, kept unbuilt until needed.

    ``required`` maps a source name to the aliases of its required parameters,
    so that ``ParamSource.default`` fills only those.
    """

    __slots__ = ("base", "body", "cookies", "headers", "path", "query", "receive")

    def __init__(
        self,
        *,
        base: Mapping[str, Any] | None = None,
        query: ParamSource | None = None,
        path: ParamSource | None = None,
        headers: ParamSource | None = None,
        cookies: ParamSource | None = None,
        body: bytes | None = None,
        receive: Receive | None = None,
    ) -> None:
        self.base = base
        self.query = query
        self.path = path
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.receive = receive


def _source_items(
    source: ParamSource | None, required: Iterable[str]
) -> list[tuple[str, str]]:
    if source is None:
        return []
    items = list(_pairs(source.values))
    if source.default is not None:
        present = {key.lower() for key, _ in items}
        items.extend(
            (alias, source.default)
            for alias in required
            if alias.lower() not in present
        )
    return items


def _dashed_twins(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Also send ``x_token`` as ``x-token``: the header FastAPI reads for it.

    fastapi-standalone-di keys header values by parameter name; FastAPI
    reads ``x_token: str = Header()`` from ``x-token``. A name already
    given with dashes wins.
    """
    if not any("_" in key for key, _ in items):
        return items
    present = {key.lower() for key, _ in items}
    twins = [
        (key.replace("_", "-"), value)
        for key, value in items
        if "_" in key and key.replace("_", "-").lower() not in present
    ]
    return items + twins


def _normalize_headers(raw: Any) -> list[tuple[bytes, bytes]]:
    if raw is None:
        return []
    if type(raw) is dict:
        # The common case (``_scope={"headers": {"x-token": "..."}}``), fast.
        fast: list[tuple[bytes, bytes]] = []
        for k, v in raw.items():
            if type(k) is not str or type(v) is not str:
                break  # another type somewhere: the general way below
            fast.append((k.encode("latin-1").lower(), v.encode("latin-1")))
        else:
            return fast
    if isinstance(raw, Mapping):
        raw = list(_pairs(raw))
    out: list[tuple[bytes, bytes]] = []
    for key, value in raw:
        k = key if isinstance(key, bytes) else str(key).encode("latin-1")
        v = value if isinstance(value, bytes) else _str(value).encode("latin-1")
        out.append((k.lower(), v))
    return out


def _http_defaults() -> dict[str, Any]:
    """A plain GET's scope; new mutable parts each time (a dependency may
    append to ``request.scope["headers"]``: that must not reach other calls)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "server": None,
        "client": None,
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "path_params": {},
    }


def scope_headers(
    spec: ScopeSpec, required: Mapping[str, tuple[str, ...]]
) -> list[tuple[bytes, bytes]]:
    """The ``headers`` of ``spec``'s scope: what ``build_request`` puts there.

    A resolution whose dependencies read only headers reads them from this
    list, without building the rest of the scope or a ``Request``.
    """
    headers = _normalize_headers(spec.base.get("headers") if spec.base else None)
    if spec.headers is None and spec.cookies is None:
        return headers  # the scope's own headers, nothing added
    items = _dashed_twins(_source_items(spec.headers, required.get("header", ())))
    if items:
        names = {k.lower().encode("latin-1") for k, _ in items}
        headers = [h for h in headers if h[0] not in names]
        headers.extend(_normalize_headers(items))
    cookies = _source_items(spec.cookies, required.get("cookie", ()))
    if cookies:
        jar = SimpleCookie()
        for key, value in cookies:
            jar[key] = value
        cookie_value = "; ".join(f"{m.key}={m.coded_value}" for m in jar.values())
        headers = [h for h in headers if h[0] != b"cookie"]
        headers.append((b"cookie", cookie_value.encode("latin-1")))
    return headers


def build_request(
    spec: ScopeSpec,
    *,
    app: Any,
    state: Mapping[str, Any] | None,
    required: Mapping[str, tuple[str, ...]],
) -> Request:
    """A real Starlette ``Request`` on the ASGI HTTP scope of ``spec``."""
    scope = _http_defaults()
    if spec.base:
        scope.update(spec.base)
        qs = scope.get("query_string", b"")
        if isinstance(qs, str):
            scope["query_string"] = qs.encode("latin-1")
        elif isinstance(qs, Mapping):
            scope["query_string"] = urlencode(list(_pairs(qs))).encode("latin-1")
        scope["path_params"] = dict(scope.get("path_params") or {})
    scope["headers"] = scope_headers(spec, required)
    if "app" not in scope:
        scope["app"] = app if app is not None else STANDALONE_APP
    if "state" not in scope:
        # Starlette gives each request a shallow copy of the lifespan state.
        scope["state"] = dict(state) if state else {}

    query = _source_items(spec.query, required.get("query", ()))
    if query:
        extra = urlencode(query).encode("latin-1")
        qs = scope["query_string"]
        scope["query_string"] = qs + b"&" + extra if qs else extra
    path = _source_items(spec.path, required.get("path", ()))
    if path:
        scope["path_params"].update(dict(path))
    receive = spec.receive
    if receive is None:
        receive = make_receive(spec.body or b"")
    return Request(scope, receive)


def make_receive(
    body: bytes | Callable[[], bytes | Awaitable[bytes | None] | None],
) -> Callable[[], Awaitable[Message]]:
    """An ASGI ``receive`` that yields ``body`` once, then a disconnect.

    ``body`` may be a function reading it (sync or async): called on the
    first ``receive`` only, so a request whose dependencies never read the
    body never has it read (a host adapter's upload stays unread unless it
    is a parameter).
    """
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            data = body() if callable(body) else body
            if inspect.isawaitable(data):
                data = await data
            return {"type": "http.request", "body": data or b"", "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def asgi_request(
    scope: Mapping[str, Any],
    *,
    body: bytes | Callable[[], bytes | Awaitable[bytes | None] | None] | None,
    app: Any,
    state: Mapping[str, Any] | None,
) -> Request:
    """A ``Request`` on an ASGI scope a host adapter built (no normalisation).

    ``scope`` must already be ASGI's: lowercase ``bytes`` header names,
    ``bytes`` query string. Missing keys get a plain GET's defaults.
    """
    full = _http_defaults()
    full.update(scope)
    full["path_params"] = dict(scope.get("path_params") or {})
    if "app" not in full:
        full["app"] = app if app is not None else STANDALONE_APP
    if "state" not in full:
        full["state"] = dict(state) if state else {}
    return Request(full, make_receive(body or b""))
