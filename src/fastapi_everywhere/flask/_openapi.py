"""A Flask app's bridged routes in an OpenAPI document, mounted or alone.

:func:`mount` puts a Flask app under a FastAPI app (WSGI through
``a2wsgi``) and lists its decorated routes in the FastAPI app's
``/openapi.json``; :func:`openapi_document` and :func:`openapi_blueprint`
serve a Flask-only project. The routes come from ``app.url_map``: each rule
whose view (or ``MethodView`` handler) was decorated with
``with_fastapi_depends``, with Werkzeug's converters read as path types.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import FastAPI
from flask import Blueprint, Flask, Response, current_app, url_for
from starlette.routing import Mount

from .. import _openapi as shared
from .._host import share_lifespan
from .._openapi import LegacyEndpoint, LegacyOpenAPI
from .._route import route_of

__all__ = ["mount", "openapi_blueprint", "openapi_document"]

_CONVERTER = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\((?P<args>.*?)\))?:)?(?P<name>[a-zA-Z_]\w*)>"
)
_TYPES: dict[str, Any] = {"int": int, "float": float, "uuid": uuid.UUID}
_AUTOMATIC = frozenset({"HEAD", "OPTIONS"})


def _path(rule: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """A Werkzeug rule as a FastAPI path, and its parameters' types."""
    types: list[tuple[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        name, converter = match["name"], match["converter"] or "default"
        types.append((name, _TYPES.get(converter, str)))
        return f"{{{name}:path}}" if converter == "path" else f"{{{name}}}"

    return _CONVERTER.sub(replace, rule), tuple(types)


def _endpoints(app: Flask) -> list[LegacyEndpoint]:
    found: list[LegacyEndpoint] = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        path, types = _path(rule.rule)
        methods = sorted((rule.methods or set()) - _AUTOMATIC) or ["GET"]
        view_class = getattr(view, "view_class", None)
        for method in methods:
            handler = view
            if view_class is not None:  # a MethodView: one handler per method
                handler = getattr(view_class, method.lower(), None)
            route = route_of(handler)
            if route is not None:
                found.append(LegacyEndpoint(path, (method,), route, types))
    return _merge_methods(found)


def _merge_methods(endpoints: list[LegacyEndpoint]) -> list[LegacyEndpoint]:
    """One endpoint per (path, view): a function route's methods together."""
    merged: dict[tuple[str, int], LegacyEndpoint] = {}
    for e in endpoints:
        key = (e.path, id(e.route))
        if key in merged:
            e = LegacyEndpoint(
                e.path, merged[key].methods + e.methods, e.route, e.path_types
            )
        merged[key] = e
    return list(merged.values())


def mount(api: FastAPI, path: str, flask_app: Flask) -> None:
    """Serve ``flask_app`` under ``api`` at ``path`` and document its routes.

    The Flask app is mounted through ``a2wsgi.WSGIMiddleware``; its routes
    decorated with ``with_fastapi_depends`` appear in ``api.openapi()`` (so
    ``/openapi.json`` and ``/docs``) under ``path``, as FastAPI lists its
    own: converters as typed path parameters (``<int:id>`` is ``{id}``, an
    integer), every FastAPI parameter, body, security scheme, response model
    and route option. Routes added to the Flask app later appear too.

    .. versionadded:: 0.2
    """
    owner = "fastapi_everywhere.flask.mount"
    prefix = shared.check_mount_path(owner, path)
    from a2wsgi import WSGIMiddleware  # the extra's dependency, needed here only

    if not isinstance(flask_app, Flask):
        raise TypeError(f"{owner}: flask_app must be a Flask app, got {flask_app!r}")
    share_lifespan(api)  # served: one lifespan, on the server's loop
    api.mount(prefix or "/", WSGIMiddleware(flask_app))  # type: ignore[arg-type]
    mounted = api.routes[-1]
    assert isinstance(mounted, Mount)
    shared.extend_openapi(api, prefix, mounted, lambda: _endpoints(flask_app))


def _generator(
    app: Flask, prefix: str, fastapi_kwargs: dict[str, Any]
) -> LegacyOpenAPI:
    return shared.standalone_openapi(
        lambda: _endpoints(app), prefix=prefix, **fastapi_kwargs
    )


def openapi_document(
    flask_app: Flask, *, prefix: str = "", **fastapi_kwargs: Any
) -> dict[str, Any]:
    """Return the document listing ``flask_app``'s decorated routes (no FastAPI app).

    Keyword arguments are the options ``FastAPI()`` takes for its document
    (``title``, ``version``, ``servers``...); each path starts with ``prefix``.

    .. versionadded:: 0.2
    """
    return _generator(flask_app, prefix, fastapi_kwargs)()


_KEY = "fastapi_everywhere.openapi"


def openapi_blueprint(
    *,
    openapi_url: str = "/openapi.json",
    docs_url: str | None = "/docs",
    name: str = "fastapi_everywhere_openapi",
    **fastapi_kwargs: Any,
) -> Blueprint:
    """A blueprint serving the app's OpenAPI document and a Swagger UI page.

    ``app.register_blueprint(openapi_blueprint(title="Notes"))`` serves
    ``/openapi.json`` (the decorated routes of the app it is registered on)
    and ``/docs``; a ``url_prefix`` at registration moves both.
    ``fastapi_kwargs`` are ``FastAPI(...)``'s document options.

    .. versionadded:: 0.2
    """
    blueprint = Blueprint(name, __name__)
    title = str(fastapi_kwargs.get("title", "FastAPI"))

    def document() -> Response:
        generators = current_app.extensions.setdefault(_KEY, {})
        generator = generators.get(name)
        if generator is None:
            generator = generators[name] = _generator(current_app, "", fastapi_kwargs)
        body = shared.openapi_json(generator())
        return Response(body, mimetype="application/json")

    blueprint.add_url_rule(openapi_url, "openapi", document)
    if docs_url is not None:

        def docs() -> Response:
            page = shared.swagger_ui(
                url_for(f"{blueprint.name}.openapi"), f"{title} - Swagger UI"
            )
            return Response(page, mimetype="text/html")

        blueprint.add_url_rule(docs_url, "docs", docs)
    return blueprint
