"""The Django project, one wiring per process: ``BENCH_VARIANT`` picks it.

    hand    the views resolve the graph by hand (the baseline; no middleware)
    ours    ``fastapi_everywhere.django.with_fastapi_depends`` (its middleware)
    wireup  ``wireup.integration.django`` (its middleware, ``@inject`` views)

Routes: ``/items/<id>`` (a sync view), ``/aitems/<id>`` (an ``async def``
view), ``/hop/aitems/<id>`` (the async view by hand with its sync graph in one
thread hop: the floor of FastAPI's threadpool rule), ``/stats``; every variant also serves the hand-wired views under
``/hand/`` (the mixed app uses them: same process, same middleware). ``application`` is the WSGI app, ``asgi_application`` the
ASGI one (``djangoapp:asgi_application`` under uvicorn). With ``ours`` it is
``fastapi_everywhere.django.asgi.get_asgi_application()``, which answers the
server's lifespan events so that async views resolve on the server's loop
(uvicorn runs it with ``--lifespan on``); ``django_asgi_application`` is
Django's own handler in every variant (the mixed app mounts it).
"""

import os

import django
from django.conf import settings

VARIANTS = ("hand", "ours", "wireup")
VARIANT = os.environ.get("BENCH_VARIANT", "hand")
if VARIANT not in VARIANTS:
    raise ValueError(f"unknown Django variant {VARIANT!r}; one of {VARIANTS}")

_apps: list[str] = []
_middleware: list[str] = []
_extra: dict[str, object] = {}
if VARIANT == "ours":
    _apps = ["fastapi_everywhere.django"]
    _middleware = ["fastapi_everywhere.django.FastAPIDependsMiddleware"]
    _extra = {"FASTAPI_EVERYWHERE": {}}
elif VARIANT == "wireup":
    from wireup.integration.django import WireupSettings

    _apps = ["wireup.integration.django"]
    _middleware = ["wireup.integration.django.wireup_middleware"]
    _extra = {
        "WIREUP": WireupSettings(
            injectables=["djangoapp_wireup"], auto_inject_views=False
        )
    }

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=_apps,
    MIDDLEWARE=_middleware,
    ROOT_URLCONF=__name__,
    DATABASES={},
    USE_TZ=True,
    **_extra,
)
django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from endpoint import CurrentUser, User, body, stats, user_by_hand  # noqa: E402


def stats_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(stats())


def item_hand(request: HttpRequest, item_id: int) -> JsonResponse:
    user, gen = user_by_hand(request.headers.get("X-User"))
    try:
        return JsonResponse(body(item_id, user))
    finally:
        gen.close()


async def aitem_hand(request: HttpRequest, item_id: int) -> JsonResponse:
    user, gen = user_by_hand(request.headers.get("X-User"))
    try:
        return JsonResponse(body(item_id, user))
    finally:
        gen.close()


async def aitem_hop(request: HttpRequest, item_id: int) -> JsonResponse:
    """The floor of any wiring that keeps FastAPI's rule for sync dependencies
    (they never run on the loop): the same graph, by hand, in one hop to the
    request's sync thread (``sync_to_async``, thread-sensitive, as Django
    runs sync code for an async view)."""
    user, gen = await sync_to_async(user_by_hand, thread_sensitive=True)(
        request.headers.get("X-User")
    )
    try:
        return JsonResponse(body(item_id, user))
    finally:
        gen.close()


if VARIANT == "hand":
    item, aitem = item_hand, aitem_hand

elif VARIANT == "ours":
    from fastapi_everywhere.django import with_fastapi_depends

    @with_fastapi_depends
    def item(request: HttpRequest, item_id: int, *, user: CurrentUser) -> JsonResponse:
        return JsonResponse(body(item_id, user))

    @with_fastapi_depends
    async def aitem(
        request: HttpRequest, item_id: int, *, user: CurrentUser
    ) -> JsonResponse:
        return JsonResponse(body(item_id, user))

else:
    from wireup import Injected
    from wireup.integration.django import inject

    @inject
    def item(request: HttpRequest, item_id: int, user: Injected[User]) -> JsonResponse:
        return JsonResponse(body(item_id, user))

    @inject
    async def aitem(
        request: HttpRequest, item_id: int, user: Injected[User]
    ) -> JsonResponse:
        return JsonResponse(body(item_id, user))


urlpatterns = [
    path("items/<int:item_id>", item),
    path("aitems/<int:item_id>", aitem),
    path("stats", stats_view),
    path("hand/items/<int:item_id>", item_hand),
    path("hand/aitems/<int:item_id>", aitem_hand),
    path("hop/aitems/<int:item_id>", aitem_hop),
]

application = get_wsgi_application()
django_asgi_application = get_asgi_application()
if VARIANT == "ours":
    from fastapi_everywhere.django.asgi import (
        get_asgi_application as get_served_asgi_application,
    )

    asgi_application = get_served_asgi_application()
else:
    asgi_application = django_asgi_application
