"""An ``async def`` view under Django's ASGI handler leaves nothing of ours
to the cyclic garbage collector.

Django's ASGI handler leaves each request object in a reference cycle (its
task group, the handler's task); the request's FastAPI state hangs off it.
Once the response is closed the request's scope is let go, so the scope,
its cache and the dependencies' values die by reference counting then, not
whenever the collector runs.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.test import override_settings
from django.urls import path
from fastapi import Depends, Header

from fastapi_everywhere.django import aresolve, with_fastapi_depends
from fastapi_everywhere.django._state import state_of

seen: list[weakref.ref[Any]] = []
closed: list[str] = []


class Resource:
    def __init__(self, user: str) -> None:
        self.user = user


def resource(x_user: Annotated[str, Header()]) -> Iterator[Resource]:
    yield Resource(x_user)
    closed.append(x_user)


@transaction.non_atomic_requests
@with_fastapi_depends
async def view(
    request: HttpRequest, *, res: Annotated[Resource, Depends(resource)]
) -> JsonResponse:
    state = state_of(request)
    assert state is not None and state.scope is not None
    seen.extend([weakref.ref(state.scope), weakref.ref(res)])
    assert await aresolve(request, resource) is res  # the request's cache
    return JsonResponse({"user": res.user})


urlpatterns = [path("a", view)]


async def _request(app: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    requested = False
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/a",
        "raw_path": b"/a",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"x-user", b"ann")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    done.set()
    return sent


def test_an_async_views_scope_dies_with_its_response_not_in_a_collection() -> None:
    from fastapi_everywhere.django.asgi import get_asgi_application

    async def main() -> list[dict[str, Any]]:
        app = get_asgi_application()
        stop = asyncio.Event()
        started = asyncio.Event()
        messages = [{"type": "lifespan.startup"}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await stop.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: dict[str, Any]) -> None:
            started.set()

        lifespan = asyncio.create_task(
            app({"type": "lifespan", "state": {}}, receive, send)
        )
        await asyncio.wait_for(started.wait(), 10)
        try:
            await _request(app)  # warm: first-request set-up is not per request
            seen.clear()
            gc.collect()
            gc.disable()
            try:
                sent = await _request(app)
                alive = [ref() is not None for ref in seen]
            finally:
                gc.enable()
        finally:
            stop.set()
            await asyncio.wait_for(lifespan, 10)
        assert alive == [False, False]  # the scope and the dependency's value
        return sent

    closed.clear()
    with override_settings(ROOT_URLCONF=__name__):
        sent = asyncio.run(main())
    assert sent[0]["status"] == 200
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b'{"user": "ann"}'
    assert closed == ["ann", "ann"]  # each request's teardown ran, once
