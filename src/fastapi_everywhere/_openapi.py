"""One OpenAPI document for FastAPI routes and bridged Django/Flask views.

The host adapters walk their URL configuration into :class:`LegacyEndpoint`
values (a FastAPI path, methods, the view's :class:`~._route.ViewRoute` and
the URL converters' types). Here they become real ``APIRoute`` objects and
FastAPI writes the document itself: ``FastAPI.openapi`` runs over a view of
the app whose ``routes`` are the app's plus the legacy ones, so every FastAPI
version's own generator, with every option of the app, produces it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from ._route import ViewRoute

__all__ = [
    "LegacyEndpoint",
    "LegacyOpenAPI",
    "check_mount_path",
    "extend_openapi",
    "openapi_json",
    "standalone_openapi",
    "swagger_ui",
]

#: ``source()``: the endpoints of a legacy app, walked when asked for.
EndpointSource = Callable[[], Sequence["LegacyEndpoint"]]


@dataclasses.dataclass(frozen=True)
class LegacyEndpoint:
    """One bridged view at one URL of a legacy app.

    ``path`` is a FastAPI path relative to the legacy app's root
    (``/items/{id}``, ``/files/{rest:path}``); ``path_types`` maps each of its
    parameters to the type of the URL converter (used when the view does not
    annotate the parameter).
    """

    path: str
    methods: tuple[str, ...]
    route: ViewRoute
    path_types: tuple[tuple[str, Any], ...] = ()

    def api_route(self, prefix: str, api: FastAPI | None) -> APIRoute:
        """The ``APIRoute`` FastAPI would have for this endpoint under ``prefix``."""
        extra: dict[str, Any] = {}
        if api is not None:
            extra["generate_unique_id_function"] = (
                api.router.generate_unique_id_function
            )
        return self.route.api_route(
            prefix + self.path, self.methods, dict(self.path_types), **extra
        )


class _AppView:
    """The app as ``FastAPI.openapi`` sees it, with more routes.

    Attributes are the app's, but ``routes`` and the schema cache are its own,
    so the app's generator runs unchanged over the extended route list.
    """

    def __init__(self, app: FastAPI, routes: list[BaseRoute]) -> None:
        self.routes = routes
        self.openapi_schema: dict[str, Any] | None = None
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


def _document(app: FastAPI, routes: list[BaseRoute]) -> dict[str, Any]:
    schema: dict[str, Any] = FastAPI.openapi(_AppView(app, routes))  # type: ignore[arg-type]
    return schema


class LegacyOpenAPI:
    """A FastAPI app's ``openapi`` that also lists mounted legacy views.

    Installed as ``app.openapi`` (FastAPI's documented way to extend the
    schema) by :func:`extend_openapi`. The legacy apps are walked at every
    call, which is cheap; the document is regenerated only when the app's
    routes or the walked endpoints changed, so routes added after the mount
    still appear.
    """

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._sources: list[tuple[str, Mount | None, EndpointSource]] = []
        self._routes: dict[tuple[str, LegacyEndpoint], APIRoute] = {}
        self._key: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        prefixes = ", ".join(repr(prefix) for prefix, _, _ in self._sources)
        return f"<LegacyOpenAPI of {self._app.title!r}: {prefixes}>"

    def add(self, prefix: str, mount: Mount | None, source: EndpointSource) -> None:
        """List ``source``'s endpoints under ``prefix``, where ``mount`` is."""
        with self._lock:
            self._sources.append((prefix, mount, source))
            self._key = None

    def __call__(self) -> dict[str, Any]:
        app = self._app
        walked = [
            (prefix, mount, tuple(source())) for prefix, mount, source in self._sources
        ]
        key = (tuple(app.routes), tuple((p, e) for p, _, e in walked))
        with self._lock:
            if app.openapi_schema and key == self._key:
                return app.openapi_schema
            routes = list(app.routes)
            for prefix, mount, endpoints in walked:
                legacy = [self._api_route(prefix, e) for e in endpoints]
                # In the mount's place: the document lists paths in route order.
                at = routes.index(mount) + 1 if mount in routes else len(routes)
                routes[at:at] = legacy
            app.openapi_schema = _document(app, routes)
            self._key = key
            return app.openapi_schema

    def _api_route(self, prefix: str, endpoint: LegacyEndpoint) -> APIRoute:
        found = self._routes.get((prefix, endpoint))
        if found is None:
            found = self._routes[prefix, endpoint] = endpoint.api_route(
                prefix, self._app
            )
        return found


def extend_openapi(
    app: FastAPI, prefix: str, mount: Mount | None, source: EndpointSource
) -> LegacyOpenAPI:
    """Make ``app.openapi()`` (so ``/openapi.json`` and ``/docs``) list
    ``source``'s endpoints under ``prefix``; returns the installed generator."""
    current = app.__dict__.get("openapi")
    if not isinstance(current, LegacyOpenAPI):
        current = LegacyOpenAPI(app)
        app.openapi = current  # type: ignore[method-assign]
    current.add(prefix, mount, source)
    app.openapi_schema = None
    return current


def standalone_openapi(
    source: EndpointSource, *, prefix: str = "", **fastapi_kwargs: Any
) -> LegacyOpenAPI:
    """The document of a legacy app alone (a Django- or Flask-only project).

    ``fastapi_kwargs`` are ``FastAPI(...)``'s document options (``title``,
    ``version``, ``description``, ``servers``, ``openapi_tags``...).
    """
    fastapi_kwargs.update(openapi_url=None, docs_url=None, redoc_url=None)
    app = FastAPI(**fastapi_kwargs)
    return extend_openapi(app, prefix, None, source)


def check_mount_path(owner: str, path: Any, *, root: bool = True) -> str:
    """``path`` as ``Mount`` takes it, or a TypeError/ValueError naming ``owner``.

    ``root``: whether ``"/"`` (everything) may be mounted.
    """
    if not isinstance(path, str):
        raise TypeError(f"{owner}: path must be a str such as '/legacy', got {path!r}")
    if not path.startswith("/"):
        raise ValueError(f"{owner}: path must start with '/', got {path!r}")
    if not root and path == "/":
        raise ValueError(f"{owner}: path must be a prefix such as '/api', not the root")
    return path.rstrip("/")


def openapi_json(document: Mapping[str, Any]) -> bytes:
    """The bytes FastAPI serves at ``/openapi.json`` for ``document``."""
    return bytes(JSONResponse(document).body)


def swagger_ui(openapi_url: str, title: str) -> bytes:
    """FastAPI's Swagger UI page for the document at ``openapi_url``."""
    return bytes(get_swagger_ui_html(openapi_url=openapi_url, title=title).body)
