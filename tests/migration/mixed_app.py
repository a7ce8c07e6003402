"""One FastAPI app with a Flask app and a Django app mounted under it.

Served by uvicorn in ``test_mixed_server.py`` (a process of its own: Django is
configured here, not by ``tests/django``). Every side reads the same
dependency, ``pool_info``, which reports what the issue asks to hold: the
lifespan started once, one pool, used on the loop that created it, and no
loop thread of the library's.
"""

from __future__ import annotations

from typing import Any

import a2wsgi
import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from fastapi.middleware.wsgi import WSGIMiddleware as StarletteWSGIMiddleware
from flask import Flask
from shared import Info, make_api

from fastapi_everywhere.django import with_fastapi_depends as django_depends
from fastapi_everywhere.flask import FastAPIDepends
from fastapi_everywhere.flask import with_fastapi_depends as flask_depends

api = make_api("/api/info")


# -- Flask, through a2wsgi ---------------------------------------------------

flask_app = Flask(__name__)
FastAPIDepends(flask_app, fastapi_app=api)


@flask_app.get("/info")
@flask_depends
def flask_info(*, info: Info) -> dict[str, Any]:
    return info


api.mount("/flask", a2wsgi.WSGIMiddleware(flask_app))  # type: ignore[arg-type]
# FastAPI's own (Starlette's) WSGI adapter, as FastAPI's docs show it.
api.mount("/flask-starlette", StarletteWSGIMiddleware(flask_app))

# -- Django, through its ASGI and its WSGI application --------------------------

settings.configure(
    DEBUG=False,
    SECRET_KEY="mixed",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["fastapi_everywhere.django"],
    MIDDLEWARE=["fastapi_everywhere.django.FastAPIDependsMiddleware"],
    ROOT_URLCONF=__name__,
    DATABASES={},
    FASTAPI_EVERYWHERE={"APP": f"{__name__}:api"},
)
django.setup()


@django_depends
def django_info(request: HttpRequest, *, info: Info) -> JsonResponse:
    return JsonResponse(info)


@django_depends
async def django_ainfo(request: HttpRequest, *, info: Info) -> JsonResponse:
    return JsonResponse(info)


urlpatterns = [path("info", django_info), path("ainfo", django_ainfo)]

from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

api.mount("/django", get_asgi_application())
api.mount("/django-wsgi", a2wsgi.WSGIMiddleware(get_wsgi_application()))  # type: ignore[arg-type]
