"""Async views behind a sync-only middleware: the request's teardown still runs.

Django runs such a middleware on a sync thread and the rest of the chain
through ``async_to_sync``, whose thread-sensitive executor quits when the
chain returns. A client that then closes the response on a thread of its own
(``AsyncClient``) must still tear the request's sync dependencies down, once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from asgiref.sync import SyncToAsync
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import AsyncClient, Client, override_settings
from django.urls import path
from fastapi import Depends

from fastapi_everywhere.django import with_fastapi_depends
from fastapi_everywhere.django._threads import ThreadSensitive

EVENTS: list[Any] = []


class SyncOnly:
    """A middleware Django can only call from a sync thread."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response


def plain() -> int:
    return 1


def resource(value: Annotated[int, Depends(plain)]) -> Iterator[int]:
    EVENTS.append(("setup", threading.get_ident()))
    try:
        yield value
    except Exception as exc:
        EVENTS.append(("teardown", repr(exc)))
        raise
    EVENTS.append(("teardown", None))


@transaction.non_atomic_requests  # ATOMIC_REQUESTS is on: not for async views
@with_fastapi_depends
async def view(
    request: HttpRequest, *, value: Annotated[int, Depends(resource)]
) -> HttpResponse:
    if request.GET.get("fail"):
        raise ValueError("view failed")
    return JsonResponse({"value": value})


urlpatterns = [path("sync-mw", view)]

_DEPENDS = "fastapi_everywhere.django.FastAPIDependsMiddleware"
_SYNC_ONLY = f"{__name__}.SyncOnly"


@pytest.fixture(
    params=[
        pytest.param([_DEPENDS, _SYNC_ONLY], id="sync-only below"),
        pytest.param([_SYNC_ONLY, _DEPENDS], id="sync-only above"),
        pytest.param([_SYNC_ONLY], id="sync-only alone"),
        pytest.param([_DEPENDS], id="no sync-only"),
    ]
)
def middleware(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    EVENTS.clear()
    with override_settings(MIDDLEWARE=request.param, ROOT_URLCONF=__name__):
        yield request.param
    EVENTS.clear()


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_async_client_tears_the_sync_dependency_down_once(
    middleware: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    r = await AsyncClient().get("/sync-mw")
    assert r.status_code == 200
    assert r.json() == {"value": 1}
    assert [e[0] for e in EVENTS] == ["setup", "teardown"]
    assert EVENTS[1] == ("teardown", None)
    assert _errors(caplog) == []


async def test_async_client_throws_the_views_error_into_teardown(
    middleware: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    client = AsyncClient(raise_request_exception=False)
    r = await client.get("/sync-mw?fail=1")
    assert r.status_code == 500
    assert [e[0] for e in EVENTS] == ["setup", "teardown"]
    assert EVENTS[1] == ("teardown", "ValueError('view failed')")
    # Django logs the view's error itself; nothing else may fail.
    assert [m for m in _errors(caplog) if "teardown" in m] == []


def test_the_sync_client_tears_down_once(
    middleware: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    assert Client().get("/sync-mw").json() == {"value": 1}
    assert EVENTS[1:] == [("teardown", None)]
    assert _errors(caplog) == []


async def _served_get(app: Any, path: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    body = [{"type": "http.request", "body": b"", "more_body": False}]
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if body:
            return body.pop()
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
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    await asyncio.wait_for(app(scope, receive, send), 10)
    done.set()
    return sent


def test_served_with_its_lifespan_tears_down_once(
    middleware: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi_everywhere.django.asgi import get_asgi_application

    async def main() -> list[dict[str, Any]]:
        app = get_asgi_application()
        started, stop = asyncio.Event(), asyncio.Event()
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
            return await _served_get(app, "/sync-mw")
        finally:
            stop.set()
            await asyncio.wait_for(lifespan, 10)

    caplog.set_level(logging.ERROR)
    sent = asyncio.run(main())
    assert sent[0]["status"] == 200
    assert EVENTS[1:] == [("teardown", None)]
    assert _errors(caplog) == []


def _run_here_from_a_thread(
    context: contextvars.Context, fn: Any
) -> tuple[list[Any], int | None]:
    """``run_here(fn)`` of a bound runner, from a closing thread in ``context``."""
    runner = ThreadSensitive()
    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever)
    loop_thread.start()
    outcome: list[Any] = []

    async def bind() -> None:
        runner.bind()

    def close() -> None:
        try:
            outcome.append(runner.run_here(fn))
        except Exception as exc:
            outcome.append(exc)

    try:
        asyncio.run_coroutine_threadsafe(bind(), loop).result(10)
        runner.thread = loop_thread.ident  # not the closing thread
        closer = threading.Thread(target=context.run, args=(close,))
        closer.start()
        closer.join(10)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(10)
        loop.close()
    return outcome, closer.ident


def test_an_exit_asgiref_refuses_to_send_runs_on_the_closing_thread() -> None:
    # The context the exit is closed in (the view's) already waits on
    # asgiref's single thread executor: asgiref refuses before running
    # anything ("would deadlock"; "already quit" after an async_to_sync).
    context = contextvars.Context()
    context.run(SyncToAsync.deadlock_context.set, True)
    threads: list[int] = []
    outcome, closer = _run_here_from_a_thread(
        context, lambda: threads.append(threading.get_ident())
    )
    assert outcome == [None]
    assert threads == [closer]


def test_an_exit_that_ran_and_failed_is_not_run_again() -> None:
    calls: list[int] = []

    def exit_() -> None:
        calls.append(threading.get_ident())
        raise RuntimeError("teardown failed")

    outcome, closer = _run_here_from_a_thread(contextvars.Context(), exit_)
    assert [str(e) for e in outcome] == ["teardown failed"]
    assert len(calls) == 1 and calls[0] != closer  # sent to asgiref's thread


def test_an_exit_sent_to_a_loop_that_stops_before_running_it_runs_here() -> None:
    # The view's loop is running when the exit is sent, then stops before it
    # starts it (its last iteration only schedules the send): the closing
    # thread must not wait forever; it runs the exit itself, once.
    runner = ThreadSensitive()
    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever)
    loop_thread.start()
    blocked, release = threading.Event(), threading.Event()
    ran: list[int] = []
    outcome: list[Any] = []

    async def bind() -> None:
        runner.bind()

    def block() -> None:
        blocked.set()
        release.wait(10)

    def close() -> None:
        outcome.append(runner.run_here(lambda: ran.append(threading.get_ident())))

    try:
        asyncio.run_coroutine_threadsafe(bind(), loop).result(10)
        runner.thread = loop_thread.ident  # not the closing thread
        loop.call_soon_threadsafe(block)
        assert blocked.wait(10)
        closer = threading.Thread(target=close)
        closer.start()
        # The send is scheduled behind the blocker; the stop right after it.
        deadline = time.monotonic() + 10
        while not loop._ready and time.monotonic() < deadline:  # noqa: SLF001
            time.sleep(0.001)
        loop.call_soon_threadsafe(loop.stop)
        release.set()
        closer.join(10)
        assert not closer.is_alive(), "run_here waited on a stopped loop"
    finally:
        release.set()
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(10)
        loop.close()
    assert outcome == [None]
    assert ran == [closer.ident]


def test_an_exit_the_request_thread_never_runs_times_out() -> None:
    # The loop runs but the request's thread never serves the exit: with a
    # timeout set, the wait ends with TimeoutError instead of hanging.
    never = threading.Event()

    class Stuck(ThreadSensitive):
        async def _send(self, job: list[Any]) -> None:  # never served
            await asyncio.get_running_loop().run_in_executor(None, never.wait, 10)

    runner = Stuck(timeout=0.2)
    loop = asyncio.new_event_loop()
    loop_thread = threading.Thread(target=loop.run_forever)
    loop_thread.start()
    outcome: list[Any] = []

    async def bind() -> None:
        runner.bind()

    def close() -> None:
        try:
            outcome.append(runner.run_here(lambda: "ran"))
        except Exception as exc:
            outcome.append(exc)

    try:
        asyncio.run_coroutine_threadsafe(bind(), loop).result(10)
        runner.thread = loop_thread.ident
        closer = threading.Thread(target=close)
        started = time.monotonic()
        closer.start()
        closer.join(10)
        assert not closer.is_alive()
        assert time.monotonic() - started < 5
    finally:
        never.set()

        async def settle() -> None:  # the cancelled send finishes before the loop ends
            others = asyncio.all_tasks() - {asyncio.current_task()}
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(settle(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join(10)
        loop.close()
    assert len(outcome) == 1 and isinstance(outcome[0], TimeoutError)
    assert "TIMEOUT" in str(outcome[0])
