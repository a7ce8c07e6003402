"""One FastAPI app with a Flask app and a Django app mounted under it.

Served by uvicorn in ``test_mixed_server.py`` (a process of its own: Django is
configured here, not by ``tests/django``). Every side reads the same
dependency, ``pool_info``, which reports what the issue asks to hold: the
lifespan started once, one pool, used on the loop that created it, and no
loop thread of the library's.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import a2wsgi
import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from fastapi import Depends, FastAPI, Request
from flask import Flask

from fastapi_everywhere.django import with_fastapi_depends as django_depends
from fastapi_everywhere.flask import FastAPIDepends
from fastapi_everywhere.flask import with_fastapi_depends as flask_depends

#: One entry per lifespan start-up in this process.
STARTS: list[int] = []


class Pool:
    """Stands for an async connection pool: bound to the loop that opened it."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()

    async def fetch(self) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {
            "pool": id(self),
            "on_pool_loop": asyncio.get_running_loop() is self.loop,
        }


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    STARTS.append(os.getpid())
    print(f"lifespan-start {os.getpid()}", flush=True)
    yield {"pool": Pool()}
    print(f"lifespan-stop {os.getpid()}", flush=True)


api = FastAPI(lifespan=lifespan)


async def get_pool(request: Request) -> Pool:
    pool: Pool = request.state.pool
    return pool


async def pool_info(pool: Annotated[Pool, Depends(get_pool)]) -> dict[str, Any]:
    loop_threads = [
        t.name for t in threading.enumerate() if t.name == "fastapi-everywhere-loop"
    ]
    return await pool.fetch() | {
        "starts": len(STARTS),
        "pid": os.getpid(),
        "loop_threads": len(loop_threads),
    }


Info = Annotated[dict[str, Any], Depends(pool_info)]


@api.get("/api/info")
async def fastapi_info(info: Info) -> dict[str, Any]:
    return info


# -- Flask, through a2wsgi ---------------------------------------------------

flask_app = Flask(__name__)
FastAPIDepends(flask_app, fastapi_app=api)


@flask_app.get("/info")
@flask_depends
def flask_info(*, info: Info) -> dict[str, Any]:
    return info


api.mount("/flask", a2wsgi.WSGIMiddleware(flask_app))  # type: ignore[arg-type]

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
