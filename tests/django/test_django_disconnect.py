"""A client that hangs up while an ``async def`` view runs (Django's ASGI handler).

Django >= 5.0 listens for ``http.disconnect`` while the view runs and cancels
it. The view's ``yield`` dependencies, sync and async, must still be torn
down, seeing the cancellation, whichever loop the request resolved on: the
server's (``fastapi_everywhere.django.asgi`` running the lifespan) or the
library's loop thread (Django's own handler).
"""

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import django
import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from fastapi import Depends

from fastapi_everywhere.django import with_fastapi_depends

pytestmark = pytest.mark.skipif(
    django.VERSION < (5, 0), reason="Django < 5.0 does not cancel on disconnect"
)

events: list[str] = []
_lock = threading.Lock()


def _add(event: str) -> None:
    with _lock:
        events.append(event)


def sync_resource() -> Iterator[str]:
    _add("open sync")
    try:
        yield "sync"
    except BaseException as exc:
        _add(f"sync saw {type(exc).__name__}")
        raise
    finally:
        _add("close sync")


async def async_resource() -> AsyncIterator[str]:
    _add("open async")
    try:
        yield "async"
    except BaseException as exc:
        _add(f"async saw {type(exc).__name__}")
        raise
    finally:
        _add("close async")


@transaction.non_atomic_requests  # the test project has ATOMIC_REQUESTS
@with_fastapi_depends
async def slow(
    request: HttpRequest,
    *,
    s: Annotated[str, Depends(sync_resource)],
    a: Annotated[str, Depends(async_resource)],
) -> HttpResponse:
    _add("view")
    await asyncio.sleep(30)  # the client hangs up first
    return HttpResponse("too late")


def slow_sync_resource() -> Iterator[str]:
    _add("resolving")
    time.sleep(0.3)  # the client hangs up meanwhile (on a worker thread)
    _add("open slow sync")
    try:
        yield "slow"
    except BaseException as exc:
        _add(f"slow sync saw {type(exc).__name__}")
        raise
    finally:
        _add("close slow sync")


@transaction.non_atomic_requests
@with_fastapi_depends
async def slow_deps(
    request: HttpRequest, *, s: Annotated[str, Depends(slow_sync_resource)]
) -> HttpResponse:
    _add("view")
    await asyncio.sleep(30)
    return HttpResponse("too late")


@transaction.non_atomic_requests
@with_fastapi_depends
async def fast(
    request: HttpRequest,
    *,
    sync: Annotated[str, Depends(sync_resource)],
    res: Annotated[str, Depends(async_resource)],
) -> HttpResponse:
    _add("view")
    return HttpResponse(f"{sync} {res}")


class HangAfterView:
    """An outer async middleware still busy when the client hangs up.

    Django then cancels the request's task after the view returned: the
    response is never closed, so its closers never run.
    """

    async_capable = True
    sync_capable = False

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = await self.get_response(request)
        _add("after view")
        await asyncio.sleep(60)
        return response


urlpatterns = [
    path("slow", slow),
    path("slow-deps", slow_deps),
    path("fast", fast),
]

SCOPE = {
    "type": "http",
    "asgi": {"version": "3.0", "spec_version": "2.3"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/slow",
    "raw_path": b"/slow",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"testserver")],
    "client": ("127.0.0.1", 50000),
    "server": ("testserver", 80),
}


async def _start_lifespan(app: Any) -> tuple[asyncio.Task[None], asyncio.Event]:
    """What uvicorn does first: the lifespan's start-up, on this loop."""
    started = asyncio.Event()
    stop = asyncio.Event()
    messages = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await stop.wait()
        return {"type": "lifespan.shutdown"}

    async def send(message: dict[str, Any]) -> None:
        assert message["type"] != "lifespan.startup.failed", message
        started.set()

    task = asyncio.create_task(app({"type": "lifespan", "state": {}}, receive, send))
    await asyncio.wait_for(started.wait(), 10)
    return task, stop


async def _hang_up(app: Any, url: str, when: str) -> list[dict[str, Any]]:
    hung_up = asyncio.Event()
    requested = False
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await hung_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {**SCOPE, "path": url, "raw_path": url.encode()}
    request = asyncio.create_task(app(scope, receive, send))
    deadline = time.monotonic() + 10
    while when not in events:
        assert time.monotonic() < deadline, events
        assert not request.done(), request
        await asyncio.sleep(0.01)
    hung_up.set()
    await asyncio.wait_for(request, 10)
    return sent


def _wait_for(*wanted: str) -> None:
    deadline = time.monotonic() + 10
    while not set(wanted) <= set(events):
        assert time.monotonic() < deadline, f"teardown never ran: {events}"
        time.sleep(0.01)


def _run(
    served: bool, url: str, when: str, settle: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """One request hung up at ``when``; the loop lives on until ``settle`` events.

    A server's loop outlives the request: teardown that Django leaves to the
    end of the request's task runs on it after the handler returned.
    """
    from django.core.asgi import get_asgi_application as django_asgi

    from fastapi_everywhere.django.asgi import get_asgi_application

    events.clear()

    async def settled() -> None:
        deadline = time.monotonic() + 10
        while not set(settle) <= set(events):
            assert time.monotonic() < deadline, f"teardown never ran: {events}"
            await asyncio.sleep(0.01)

    async def main() -> list[dict[str, Any]]:
        if not served:
            sent = await _hang_up(django_asgi(), url, when)
            await settled()
            return sent
        app = get_asgi_application()
        lifespan, stop = await _start_lifespan(app)
        try:
            sent = await _hang_up(app, url, when)
            await settled()
            return sent
        finally:
            stop.set()
            await asyncio.wait_for(lifespan, 10)

    return asyncio.run(main())


SERVED = pytest.mark.parametrize(
    "served", [True, False], ids=["server-loop", "loop-thread"]
)


@SERVED
def test_teardown_runs_when_the_client_hangs_up_during_the_view(served: bool) -> None:
    with override_settings(ROOT_URLCONF=__name__):
        sent = _run(served, "/slow", "view")
        _wait_for("close sync", "close async")
    assert sent == []  # no response: the client is gone
    assert events[:3] == ["open sync", "open async", "view"]
    # Both saw the cancellation, the last entered first (FastAPI's order).
    assert events[3:] == [
        "async saw CancelledError",
        "close async",
        "sync saw CancelledError",
        "close sync",
    ]


@SERVED
def test_teardown_runs_when_the_client_hangs_up_during_resolution(
    served: bool,
) -> None:
    """A sync dependency still entering on its thread is closed once entered."""
    with override_settings(ROOT_URLCONF=__name__):
        sent = _run(served, "/slow-deps", "resolving")
        _wait_for("close slow sync")
    assert sent == []
    assert events[:2] == ["resolving", "open slow sync"]
    assert events[-1] == "close slow sync"
    assert "view" not in events  # the view never ran for a client that left


@SERVED
@pytest.mark.parametrize("managed", [True, False], ids=["middleware", "view-only"])
@pytest.mark.xfail(
    django.VERSION >= (6, 0),
    reason="known gap: Django 6 absorbs the cancellation in a task group in the "
    "request's own task and never closes the response (django/_cancel.py)",
    strict=True,
)
def test_teardown_runs_when_the_client_hangs_up_after_the_view(
    served: bool, managed: bool
) -> None:
    """Cancelled in an outer middleware: Django never closes the response."""
    ours = ["fastapi_everywhere.django.FastAPIDependsMiddleware"] if managed else []
    middleware = [f"{__name__}.HangAfterView", *ours]
    with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=middleware):
        sent = _run(served, "/fast", "after view", ("close sync", "close async"))
        _wait_for("close sync", "close async")
    assert sent == []
    assert events[:4] == ["open sync", "open async", "view", "after view"]
    assert events[4:] == [
        "async saw CancelledError",
        "close async",
        "sync saw CancelledError",
        "close sync",
    ]
