"""FastAPI dependencies in Django views.

Add ``"fastapi_everywhere.django"`` to ``INSTALLED_APPS`` and
``"fastapi_everywhere.django.FastAPIDependsMiddleware"`` to ``MIDDLEWARE``;
optionally name the FastAPI app (overrides, lifespan, state) in
``FASTAPI_EVERYWHERE = {"APP": "pkg.module:app"}``. Then decorate views with
:func:`with_fastapi_depends` (or give class-based views
:class:`FastAPIDependsMixin`), and call :func:`resolve` / :func:`aresolve`
inside a view body.
"""

from __future__ import annotations

from ._openapi import mount, openapi_document, openapi_urls
from ._views import FastAPIDependsMixin, aresolve, resolve, with_fastapi_depends
from .middleware import FastAPIDependsMiddleware

__all__ = [
    "FastAPIDependsMiddleware",
    "FastAPIDependsMixin",
    "aresolve",
    "mount",
    "openapi_document",
    "openapi_urls",
    "resolve",
    "with_fastapi_depends",
]
