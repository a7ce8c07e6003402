"""Where a host request's data comes from: the seam between a host and the engine.

A host adapter (Django, Flask) gives the engine one :class:`RequestSource`
per request, when the request is opened; the engine reads the headers, the
ASGI scope, the body and the Starlette ``Request`` from it, each decided
once, on first need. A worker task or a command with a ready ASGI scope
uses :class:`ScopeSource`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from starlette.datastructures import Headers
from starlette.requests import Request

from ._engine._threads import run_in_thread
from ._lifespan import lifespan_state
from ._scope import asgi_request

__all__ = [
    "EnvironHeaders",
    "HostSource",
    "RequestSource",
    "ScopeSource",
    "address",
    "environ_headers",
    "environ_key",
]

H = TypeVar("H")

_UNREAD: Any = object()  # the body before it was read

# Path parameter names -> their path template (RequestSource.path_template).
_TEMPLATES: dict[tuple[str, ...], str] = {}
_TEMPLATES_MAX = 1024


class RequestSource:
    """Where a host request's data comes from: the seam between a host and the engine.

    Given to the engine when a host request is opened, it decides once, on
    first need, each thing a dependency may read: the header list (most
    dependencies read nothing else, so it is read without building the
    rest), the full ASGI scope with the request's path parameters, the body
    (read only if a dependency reads it) and the Starlette ``Request`` on
    them. A host adapter subclasses it and implements :meth:`asgi_scope`,
    and :meth:`raw_headers` / :meth:`read_body` where it has them cheaper.

    ``http`` is the host's own request object, if any, held weakly
    (:attr:`HostSource.http` reads it). ``path_params`` are the host's URL
    parameters (Django's URL kwargs, Flask's ``view_args``): the one way
    both reach ``Path()``. ``environ`` is a WSGI request's environ (Flask's,
    Django's ``META``), or None: the compiled solver reads a plain
    ``Header()`` there (:func:`environ_key`), as :class:`EnvironHeaders`
    would.
    """

    __slots__ = (
        "_headers",
        "_http",
        "_read",
        "_request",
        "_scope",
        "app",
        "body_blocks",
        "environ",
        "path_params",
        "state",
    )

    def __init__(
        self,
        http: Any = None,
        *,
        app: Any = None,
        state: Mapping[str, Any] | None = None,
        path_params: Mapping[str, Any] | None = None,
        environ: Mapping[str, Any] | None = None,
    ) -> None:
        # A host's own request object (HostSource), held weakly.
        self._http: weakref.ref[Any] | None = (
            None if http is None else weakref.ref(http)
        )
        self.app = app
        self.state = state
        self.path_params = path_params
        self.environ = environ
        self._scope: Mapping[str, Any] | None = None
        self._headers: Headers | None = None
        self._request: Request | None = None
        self._read: Any = _UNREAD
        #: Whether :meth:`read_body` blocks on I/O (a WSGI input stream):
        #: then it never runs on an event loop (see :meth:`prefetch_body`).
        self.body_blocks = True

    def __repr__(self) -> str:
        read = (
            "request"
            if self._request is not None
            else ("headers" if self._headers is not None else "nothing")
        )
        return f"<{type(self).__name__} app={type(self.app).__name__}, read: {read}>"

    # -- what a host provides ----------------------------------------------

    def asgi_scope(self) -> Mapping[str, Any]:
        """The request as an ASGI HTTP scope (its path parameters are added)."""
        raise NotImplementedError

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The ASGI header list (lowercase ``bytes`` names)."""
        return list(self.scope.get("headers") or [])

    def read_body(self) -> bytes | None:
        """The raw body; called once, only when a dependency reads it."""
        return None

    def header_map(self) -> Headers:
        """The headers as Starlette ``Headers`` (:attr:`headers` keeps them)."""
        return Headers(raw=self.raw_headers())

    # -- what the engine reads ---------------------------------------------

    @property
    def path_template(self) -> str:
        """A route path naming the host's URL parameters (``/{id}``), or "".

        What FastAPI learns from a route's path: a parameter of that name in
        any dependency is a path parameter.
        """
        names = self.path_params
        if not names:
            return ""
        key = tuple(names)
        template = _TEMPLATES.get(key)
        if template is None:
            template = "".join(f"/{{{name}}}" for name in key)
            if len(_TEMPLATES) < _TEMPLATES_MAX:  # bounded: a few per route
                _TEMPLATES[key] = template
        return template

    def prefetch_body(self) -> None:
        """Read the body now, on the calling thread (a sync host's own thread).

        A host's body is blocking I/O. Read on an event loop it would block
        the loop, and deadlock under a2wsgi, whose input stream that very
        loop feeds; the sync driver reads it here before a step awaits it.
        """
        if self._read is _UNREAD:
            try:
                self._read = self.read_body()
            except Exception as e:  # raised where the engine reads it (a 400)
                self._read = e

    async def receive_body(self) -> bytes | None:
        """The body, for the request's ``receive``: read off the loop if it blocks."""
        body = self._read
        if body is _UNREAD:
            if self.body_blocks:
                body = await run_in_thread(self.read_body)
            else:
                body = self.read_body()
            self._read = body
        if isinstance(body, Exception):
            raise body
        return body  # type: ignore[no-any-return]

    @property
    def scope(self) -> Mapping[str, Any]:
        """The full ASGI scope, built on first use."""
        scope = self._scope
        if scope is None:
            scope = self.asgi_scope()
            if self.path_params:
                scope = {
                    **scope,
                    "path_params": {
                        **(scope.get("path_params") or {}),
                        **self.path_params,
                    },
                }
            self._scope = scope
        return scope

    @property
    def headers(self) -> Headers:
        """The request's headers, without building a ``Request`` for them."""
        request = self._request
        if request is not None:
            return request.headers
        headers = self._headers
        if headers is None:
            headers = self._headers = self.header_map()
        return headers

    @property
    def request(self) -> Request:
        """The Starlette request every dependency of this request sees."""
        request = self._request
        if request is None:
            state = self.state if self.state is not None else lifespan_state(self.app)
            request = self._request = asgi_request(
                self.scope, body=self.receive_body, app=self.app, state=state
            )
        return request

    @property
    def has_request(self) -> bool:
        """Whether the ``Request`` was built already."""
        return self._request is not None


class HostSource(RequestSource, Generic[H]):
    """A source over a host framework's own request object (``http``).

    The Django and Flask adapters subclass it for their request types. The
    request is held weakly: the adapter keeps its state on the request, so
    a strong reference back would make a cycle that only the cyclic garbage
    collector frees; the request outlives every read of its source.
    """

    # No __init__ of its own: RequestSource's keeps ``http`` (one call per
    # request, not two).
    __slots__ = ()

    @property
    def http(self) -> H:
        """The host's request object."""
        ref = self._http
        http: H | None = None if ref is None else ref()
        if http is None:
            raise RuntimeError(f"{type(self).__name__}: its request is gone")
        return http


class ScopeSource(RequestSource):
    """A source over a ready ASGI scope (a worker task, a CLI command, tests)."""

    __slots__ = ("_body", "_given")

    def __init__(
        self,
        scope: Mapping[str, Any],
        *,
        body: bytes | Callable[[], bytes | None] | None = None,
        app: Any = None,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(app=app, state=state)
        self._given = scope
        self._body = body
        self.body_blocks = callable(body)

    def asgi_scope(self) -> Mapping[str, Any]:
        return self._given

    def read_body(self) -> bytes | None:
        body = self._body
        return body() if callable(body) else body


# -- WSGI hosts ---------------------------------------------------------------
# Django under WSGI and Flask keep the request's transport data in a PEP 3333
# environ (Django's ``request.META``, werkzeug's ``request.environ``).

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


class EnvironHeaders(Headers):
    """A WSGI environ's request headers, each read from it on demand.

    The same ``Headers`` as ``Headers(raw=environ_headers(environ))``, but a
    dependency reading one ``Header()`` costs one environ lookup: ``[...]``,
    ``get`` and ``in`` of a name found under its canonical key
    (``x-user``: ``HTTP_X_USER``) read it there; anything else (``raw``,
    ``getlist``, iteration, ``content-*``, a name not found that way)
    builds the full list once. Environ keys are the server's, uppercase
    (PEP 3333), so both ways agree.
    """

    def __init__(self, environ: Mapping[str, Any]) -> None:  # no list yet
        self._environ = environ
        self._built: list[tuple[bytes, bytes]] | None = None

    @property
    def _list(self) -> list[tuple[bytes, bytes]]:  # type: ignore[override]
        built = self._built
        if built is None:
            built = self._built = environ_headers(self._environ)
        return built

    def __getitem__(self, key: str) -> str:
        name = environ_key(key)
        if name is not None:
            value = self._environ.get(name)
            if value is not None:
                return _decoded(value)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        name = environ_key(key) if isinstance(key, str) else None
        if name is not None:
            value = self._environ.get(name)
            if value is not None:
                return _decoded(value)
        try:
            return super().__getitem__(key)
        except KeyError:
            return default

    def __contains__(self, key: Any) -> bool:
        name = environ_key(key) if isinstance(key, str) else None
        if name is not None and name in self._environ:
            return True
        return super().__contains__(key)


def _decoded(value: Any) -> str:
    """An environ value as ``environ_headers`` encodes it, decoded."""
    if type(value) is str and value.isascii():  # the usual header: as is
        return value
    return str(value).encode("latin-1").decode("latin-1")


# header name -> its canonical environ key (None: look in the full list).
_KEYS: dict[str, str | None] = {}


def environ_key(key: str) -> str | None:
    """The environ key a server files header ``key`` under (``x-user``:
    ``HTTP_X_USER``), or None for a name read only from the full list
    (``content-*``, names with ``_``)."""
    try:
        return _KEYS[key]
    except KeyError:
        pass
    lower = key.lower()
    name: str | None = None
    # Names with "_" match no environ header (they read as "-"); content-*
    # live outside HTTP_ and may be empty there (skipped).
    if key.isascii() and "_" not in lower and not lower.startswith("content-"):
        name = "HTTP_" + lower.replace("-", "_").upper()
    if len(_KEYS) < _NAMES_MAX:
        _KEYS[key] = name
    return name


def address(host: Any, port: Any) -> tuple[str, int] | None:
    """An ASGI ``client``/``server`` pair from environ values (None: unknown)."""
    if not host:
        return None
    try:
        return (str(host), int(port or 0))
    except (TypeError, ValueError):  # a unix socket path, for example
        return (str(host), 0)
