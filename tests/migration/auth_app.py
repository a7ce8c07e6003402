"""A FastAPI app with a Django project mounted under it, sharing Django's login.

The user logs in on the Django side (a session); the FastAPI routes see the
same user through ``SessionUser`` and check Django's CSRF token with
``check_django_csrf``. Run by ``test_shared_login.py`` in a process of its
own (Django is configured here), on a temporary SQLite file
(``AUTH_APP_DB``).
"""

from __future__ import annotations

import os
from typing import Any

import django
from django.conf import settings
from fastapi import Depends, FastAPI

api = FastAPI()

settings.configure(
    DEBUG=False,
    SECRET_KEY="shared-login",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "fastapi_everywhere.django",
    ],
    MIDDLEWARE=[
        "fastapi_everywhere.django.FastAPIDependsMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    ROOT_URLCONF=__name__,
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("AUTH_APP_DB", ":memory:"),
        }
    },
    FASTAPI_EVERYWHERE={"APP": f"{__name__}:api"},
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
)
django.setup()

from django.contrib.auth import authenticate, login  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.urls import path  # noqa: E402

from fastapi_everywhere.django import (  # noqa: E402
    DjangoUser,
    LoggedInSessionUser,
    SessionUser,
    check_django_csrf,
    with_fastapi_depends,
)

# -- the legacy Django side -----------------------------------------------------


def login_view(request: HttpRequest) -> JsonResponse:
    """GET: the CSRF token (and cookie); POST: log in, with Django's CSRF check."""
    if request.method != "POST":
        return JsonResponse({"csrf": get_token(request)})
    user = authenticate(
        request, username=request.POST["username"], password=request.POST["password"]
    )
    if user is None:
        return JsonResponse({"ok": False}, status=400)
    login(request, user)
    return JsonResponse({"ok": True, "csrf": get_token(request)})


@with_fastapi_depends
def django_me(request: HttpRequest, *, user: DjangoUser) -> JsonResponse:
    return JsonResponse({"user": str(user), "side": "django"})


urlpatterns = [path("login", login_view), path("me", django_me)]

# -- the moved FastAPI routes ---------------------------------------------------


@api.get("/api/me")
def fastapi_me(user: SessionUser) -> dict[str, Any]:
    return {"user": str(user), "side": "fastapi"}


@api.post("/api/notes", dependencies=[Depends(check_django_csrf)])
def add_note(user: LoggedInSessionUser) -> dict[str, Any]:
    return {"by": user.username}


from django.core.asgi import get_asgi_application  # noqa: E402

api.mount("/django", get_asgi_application())
