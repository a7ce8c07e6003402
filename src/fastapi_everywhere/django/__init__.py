"""FastAPI dependencies in Django views.

Add ``"fastapi_everywhere.django"`` to ``INSTALLED_APPS`` and
``"fastapi_everywhere.django.FastAPIDependsMiddleware"`` to ``MIDDLEWARE``;
optionally name the FastAPI app (overrides, lifespan, state) in
``FASTAPI_EVERYWHERE = {"APP": "pkg.module:app"}``. Then decorate views with
:func:`with_fastapi_depends` (or give class-based views
:class:`FastAPIDependsMixin`), and call :func:`resolve` / :func:`aresolve`
inside a view body. Django REST framework views (``APIView`` methods,
``ViewSet`` actions, ``@api_view`` functions) are decorated the same way.

:data:`DjangoRequest` and :data:`DjangoUser` give dependencies the view's
request and its user; :data:`SessionUser` gives a FastAPI route the user of
Django's session cookie, and :func:`check_django_csrf` Django's CSRF check.
"""

from __future__ import annotations

from typing import Any

from ._csrf import check_django_csrf
from ._dependencies import DjangoRequest, DjangoUser, django_request, django_user
from ._openapi import mount, openapi_document, openapi_urls
from ._session import (
    LoggedInSessionUser,
    SessionUser,
    logged_in_session_user,
    session_user,
)
from ._views import FastAPIDependsMixin, aresolve, resolve, with_fastapi_depends
from .middleware import FastAPIDependsMiddleware

__all__ = [
    "DjangoRequest",
    "DjangoUser",
    "FastAPIDependsMiddleware",
    "FastAPIDependsMixin",
    "FastAPIError",  # pyright: ignore[reportUnsupportedDunderAll] - made on first use (DRF)
    "LoggedInSessionUser",
    "SessionUser",
    "aresolve",
    "check_django_csrf",
    "django_request",
    "django_user",
    "logged_in_session_user",
    "mount",
    "openapi_document",
    "openapi_urls",
    "resolve",
    "session_user",
    "with_fastapi_depends",
]


def __getattr__(name: str) -> Any:
    # FastAPIError subclasses DRF's APIException: built (DRF imported) on use.
    if name == "FastAPIError":
        from ._drf import error_class

        return error_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
