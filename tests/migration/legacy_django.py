"""Legacy-first, Django: FastAPI apps served inside the Django project (ASGI).

``get_asgi_application(mount={"/api": api})`` is served by uvicorn in
``test_legacy_first.py``; Django serves everything else. Both sides read
``pool_info``. A process of its own: Django is configured here.
"""

from __future__ import annotations

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from shared import STARTS, Info, make_api

from fastapi_everywhere.django import with_fastapi_depends

__all__ = ["STARTS", "api", "application"]

api = make_api("/info")

settings.configure(
    DEBUG=False,
    SECRET_KEY="legacy-first",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["fastapi_everywhere.django"],
    MIDDLEWARE=["fastapi_everywhere.django.FastAPIDependsMiddleware"],
    ROOT_URLCONF=__name__,
    DATABASES={},
    FASTAPI_EVERYWHERE={"APP": f"{__name__}:api"},
)
django.setup()


@with_fastapi_depends
def django_info(request: HttpRequest, *, info: Info) -> JsonResponse:
    return JsonResponse(info)


@with_fastapi_depends
async def django_ainfo(request: HttpRequest, *, info: Info) -> JsonResponse:
    return JsonResponse(info)


urlpatterns = [path("info", django_info), path("ainfo", django_ainfo)]

from fastapi_everywhere.django.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application(mount={"/api": api})
