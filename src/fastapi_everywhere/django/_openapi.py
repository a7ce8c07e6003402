"""A Django project's bridged views in an OpenAPI document, mounted or alone.

:func:`mount` puts a Django app (ASGI or WSGI handler) under a FastAPI app
and lists its decorated views in the FastAPI app's ``/openapi.json``;
:func:`openapi_document` and :func:`openapi_urls` serve a Django-only
project. The views come from the URL resolver: nested ``include()``,
``path()`` converters and ``re_path`` named groups; class-based views through
``FastAPIDependsMixin`` or ``method_decorator``, with their methods from the
handlers the class defines; function views with their methods from
``require_http_methods`` (else the decorator's ``methods=``, else GET).
"""

from __future__ import annotations

import functools
import inspect
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from fastapi import FastAPI
from starlette.routing import Mount

from .._host import share_lifespan
from .._openapi import (
    LegacyEndpoint,
    LegacyOpenAPI,
    check_mount_path,
    extend_openapi,
    openapi_json,
    standalone_openapi,
    swagger_ui,
)
from .._route import ViewRoute, route_of
from .._target import target_of

__all__ = ["mount", "openapi_document", "openapi_urls"]

_OWNER = "fastapi_everywhere.django.with_fastapi_depends"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
_REGEX_LEFT = re.compile(r"[()\[\]*+?|{}]")
_CONVERTERS: tuple[tuple[type, Any], ...] = (
    (IntConverter, int),
    (UUIDConverter, uuid.UUID),
)
_HOST_METHODS = frozenset({"options", "head"})

Types = tuple[tuple[str, Any], ...]


def _route_piece(route: str, converters: dict[str, Any]) -> tuple[str, Types]:
    types: list[tuple[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        name, converter = match["name"], converters.get(match["name"])
        kind = next((t for c, t in _CONVERTERS if isinstance(converter, c)), str)
        types.append((name, kind))
        return f"{{{name}:path}}" if match["converter"] == "path" else f"{{{name}}}"

    return _PARAMETER.sub(replace, route), tuple(types)


def _regex_piece(regex: str) -> tuple[str, Types] | None:
    """A ``re_path`` regex as a path: named groups become parameters.

    None when something else in it is a pattern (no one path describes it).
    """
    body = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    types = tuple((m["name"], str) for m in _GROUP.finditer(body))
    body = _GROUP.sub(lambda m: f"{{{m['name']}}}", body)
    if _REGEX_LEFT.search(body.replace("{", "").replace("}", "")):
        return None
    return re.sub(r"\\(.)", r"\1", body), types


def _piece(entry: URLPattern | URLResolver) -> tuple[str, Types] | None:
    pattern = entry.pattern
    if isinstance(pattern, RoutePattern):
        return _route_piece(str(pattern), pattern.converters)
    if isinstance(pattern, RegexPattern):
        return _regex_piece(str(pattern))
    return str(pattern), ()  # a LocalePrefixPattern: the active language


def _walk(
    resolver: URLResolver, prefix: str, types: Types
) -> Iterator[tuple[str, Types, Any]]:
    for entry in resolver.url_patterns:  # pyright: ignore[reportGeneralTypeIssues]
        piece = _piece(entry)
        if piece is None:
            continue
        here, more = prefix + piece[0], types + piece[1]
        if isinstance(entry, URLResolver):
            yield from _walk(entry, here, more)
        else:
            yield here, more, entry.callback


def _closure_value(func: Any, name: str) -> Any:
    code = getattr(func, "__code__", None)
    if code is None or name not in code.co_freevars:
        return None
    cell = func.__closure__[code.co_freevars.index(name)]
    return cell.cell_contents


def _allowed_methods(view: Any) -> list[str] | None:
    """What an enclosing ``require_http_methods`` allows, if there is one."""
    while view is not None:
        allowed = _closure_value(view, "request_method_list")
        if allowed is not None:
            return [m.upper() for m in allowed]
        view = getattr(view, "__wrapped__", None)
    return None


@functools.lru_cache(maxsize=1024)
def _of_method(route: ViewRoute, method: Callable[..., Any]) -> ViewRoute:
    """``method_decorator`` copies the route it made for a stand-in function
    onto its wrapper: the same options, for the decorated method itself."""
    return ViewRoute(target_of(method, _OWNER), route.options, _OWNER)


def _handler_route(handler: Any) -> ViewRoute | None:
    route = route_of(handler)
    if route is None:
        return None
    func = inspect.unwrap(handler)
    if func is route.target.func or inspect.unwrap(route.target.func) is func:
        return route
    return _of_method(route, func)


def _endpoints_of(callback: Any, url: str, types: Types) -> Iterator[LegacyEndpoint]:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        for name in getattr(view_class, "http_method_names", ()):
            route = None
            if name not in _HOST_METHODS:
                route = _handler_route(getattr(view_class, name, None))
            if route is not None:
                yield LegacyEndpoint(url, (name.upper(),), route, types)
        return
    route = _handler_route(callback)
    if route is not None:
        methods = _allowed_methods(callback) or route.options.methods or ["GET"]
        methods = [m for m in methods if m.lower() not in _HOST_METHODS] or ["GET"]
        yield LegacyEndpoint(url, tuple(m.upper() for m in methods), route, types)


def _endpoints(urlconf: Any) -> list[LegacyEndpoint]:
    found: list[LegacyEndpoint] = []
    for url, types, callback in _walk(get_resolver(urlconf), "/", ()):
        found.extend(_endpoints_of(callback, url, types))
    return found


def _is_asgi(app: Any) -> bool:
    call = getattr(app, "__call__", None)  # noqa: B004 - a class instance
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(call)


def mount(api: FastAPI, path: str, django_app: Any, *, urlconf: Any = None) -> None:
    """Serve ``django_app`` under ``api`` at ``path`` and document its views.

    ``django_app`` is ``get_asgi_application()`` (mounted as is) or
    ``get_wsgi_application()`` (through ``a2wsgi.WSGIMiddleware``). The views
    decorated with ``with_fastapi_depends`` in ``urlconf`` (default:
    ``ROOT_URLCONF``) appear in ``api.openapi()`` (so ``/openapi.json`` and
    ``/docs``) under ``path``, as FastAPI lists its own routes.

    .. versionadded:: 0.2
    """
    owner = "fastapi_everywhere.django.mount"
    prefix = check_mount_path(owner, path)
    from a2wsgi import WSGIMiddleware  # the extra's dependency, needed here only

    if isinstance(django_app, WSGIHandler) or (
        callable(django_app) and not _is_asgi(django_app)
    ):
        django_app = WSGIMiddleware(django_app)  # pyright: ignore[reportArgumentType]
    elif not callable(django_app):
        raise TypeError(
            f"{owner}: django_app must be Django's ASGI or WSGI application "
            f"(get_asgi_application() / get_wsgi_application()), got {django_app!r}"
        )
    share_lifespan(api)  # served: one lifespan, on the server's loop
    api.mount(prefix or "/", django_app)  # pyright: ignore[reportArgumentType]
    mounted = api.routes[-1]
    assert isinstance(mounted, Mount)
    extend_openapi(api, prefix, mounted, lambda: _endpoints(urlconf))


def _generator(urlconf: Any, prefix: str, kwargs: dict[str, Any]) -> LegacyOpenAPI:
    return standalone_openapi(lambda: _endpoints(urlconf), prefix=prefix, **kwargs)


def openapi_document(
    urlconf: Any = None, *, prefix: str = "", **fastapi_kwargs: Any
) -> dict[str, Any]:
    """The OpenAPI document of the project's decorated views alone.

    ``fastapi_kwargs`` are ``FastAPI(...)``'s document options (``title``,
    ``version``, ``description``, ``servers``...); ``prefix`` is prepended
    to every path. FastAPI's generator writes it.

    .. versionadded:: 0.2
    """
    return _generator(urlconf, prefix, fastapi_kwargs)()


def openapi_urls(
    *,
    openapi_url: str = "openapi.json",
    docs_url: str | None = "docs",
    urlconf: Any = None,
    name: str = "fastapi-everywhere-openapi",
    **fastapi_kwargs: Any,
) -> list[URLPattern]:
    """URL patterns serving the OpenAPI document and a Swagger UI page.

    ``urlpatterns += openapi_urls(title="Notes")`` serves ``/openapi.json``
    (the decorated views of ``urlconf``, default ``ROOT_URLCONF``) and
    ``/docs``; ``path("api/", include(openapi_urls(...)))`` moves both. The
    document pattern is named ``name`` and the page ``name + "-docs"``.

    .. versionadded:: 0.2
    """
    title = str(fastapi_kwargs.get("title", "FastAPI"))
    generator: list[LegacyOpenAPI] = []

    def document(request: HttpRequest) -> HttpResponse:
        if not generator:
            generator.append(_generator(urlconf, "", fastapi_kwargs))
        body = openapi_json(generator[0]())
        return HttpResponse(body, content_type="application/json")

    patterns = [path(openapi_url, document, name=name)]
    if docs_url is not None:

        def docs(request: HttpRequest) -> HttpResponse:
            page = swagger_ui(reverse(name), f"{title} - Swagger UI")
            return HttpResponse(page, content_type="text/html; charset=utf-8")

        patterns.append(path(docs_url, docs, name=f"{name}-docs"))
    return patterns  # pyright: ignore[reportReturnType]
