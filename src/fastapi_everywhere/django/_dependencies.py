"""The Django request and its user, as FastAPI dependencies of a Django view.

A Django request's ASGI scope holds (weakly) the request's source, which
knows the ``HttpRequest`` and, in a DRF view, DRF's ``Request``. Outside a
Django view (a script, a Celery task, a FastAPI route) there is none, and
the dependencies say so by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest
from fastapi import Depends
from starlette.requests import Request

from .._errors import ScopeError
from ._source import SOURCE_KEY

__all__ = ["DjangoRequest", "DjangoUser", "django_request", "django_user"]

_WHERE = (
    "it is resolved outside a Django view (a script, a Celery task, a FastAPI "
    "route or a test without a Django request)"
)


def _host_of(request: Request, name: str) -> Any:
    ref = request.scope.get(SOURCE_KEY)
    source = ref() if ref is not None else None
    if source is None:
        raise ScopeError(
            f"fastapi_everywhere.django.{name}: no Django request: {_WHERE}"
        )
    return source.host


def django_request(request: Request) -> HttpRequest:
    """The Django request of the view being served.

    The ``HttpRequest``, or in a Django REST framework view DRF's
    ``Request`` (which answers every ``HttpRequest`` attribute too, plus
    ``data``, ``auth``, ``query_params``). Raises :class:`ScopeError`
    outside a Django view; override it with ``app.dependency_overrides``
    in tests.

    .. versionadded:: 0.2
    """
    host: HttpRequest = _host_of(request, "django_request")
    return host


#: ``request: DjangoRequest`` in a dependency: :func:`django_request`.
DjangoRequest = Annotated[HttpRequest, Depends(django_request)]


def django_user(request: Request) -> Any:
    """The authenticated user of the Django view's request (``request.user``).

    In a DRF view, the user DRF's authentication classes found (token,
    session, ...); in a Django view, the one ``AuthenticationMiddleware``
    set: a user, or ``AnonymousUser``. Django's lazy user is loaded here, so
    in an ``async def`` view the ORM query runs on the request's sync
    thread, never on the event loop.

    Outside a Django view it raises :class:`ScopeError`: in a FastAPI route
    of a migrating project depend on :func:`session_user` instead, and in
    scripts or tests set ``app.dependency_overrides[django_user]``.

    .. versionadded:: 0.2
    """
    host = _host_of(request, "django_user")
    try:
        user = host.user
    except AttributeError:
        raise ScopeError(
            "fastapi_everywhere.django.django_user: the Django request has no "
            "user; add 'django.contrib.auth.middleware.AuthenticationMiddleware' "
            "to MIDDLEWARE (after SessionMiddleware), or use a DRF view"
        ) from None
    # Evaluates Django's SimpleLazyObject (session and user queries) here.
    _ = user.is_authenticated
    return user


if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    #: ``user: DjangoUser`` in a dependency or view: :func:`django_user`.
    DjangoUser = Annotated[AbstractBaseUser | AnonymousUser, Depends(django_user)]
else:  # Django's auth models cannot be imported before the app registry is ready.
    DjangoUser = Annotated[Any, Depends(django_user)]
