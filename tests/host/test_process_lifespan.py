"""ProcessLifespan: the app's lifespan, once per process, for host adapters."""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import LifespanError
from fastapi_everywhere._host import ProcessLifespan, RequestScope


def counting_app(events: list[str], fail: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        if fail:
            raise RuntimeError("no database")
        yield {"pool": "the pool"}
        events.append("shutdown")

    return FastAPI(lifespan=lifespan)


def test_started_once_under_concurrent_first_requests() -> None:
    events: list[str] = []
    lifespan = ProcessLifespan(counting_app(events), name="test")
    barrier = threading.Barrier(8)

    def first_request() -> None:
        barrier.wait()
        lifespan.ensure_started()

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert events == ["startup"]
    assert lifespan.running and "running" in repr(lifespan)
    lifespan.close()
    lifespan.close()  # idempotent
    assert events == ["startup", "shutdown"]
    assert not lifespan.running


def test_the_lifespan_state_is_request_state() -> None:
    events: list[str] = []
    app = counting_app(events)
    lifespan = ProcessLifespan(app, name="test")
    lifespan.ensure_started()
    try:
        scope = RequestScope({"type": "http"}, app=app)

        def pool(request: Request) -> str:
            return str(request.state.pool)

        assert scope.call(lambda p=Depends(pool): p) == "the pool"
        scope.close()
    finally:
        lifespan.close()


def test_a_failed_startup_is_raised_and_leaves_nothing_running() -> None:
    events: list[str] = []
    lifespan = ProcessLifespan(counting_app(events, fail=True), name="test")
    with pytest.raises(LifespanError, match="no database"):
        lifespan.ensure_started()
    assert not lifespan.running
    with pytest.raises(LifespanError):  # tried again on the next request
        lifespan.ensure_started()
    assert events == ["startup", "startup"]


def test_without_an_app_it_is_a_no_op() -> None:
    lifespan = ProcessLifespan(None, name="test")
    lifespan.ensure_started()
    assert not lifespan.running
    lifespan.close()


# -- a lifespan that cannot start (issue 13, part 6) ------------------------------
# The Django, Flask and Celery adapters start their lifespan through here;
# ``timeout=`` bounds each loop-thread wait, so a regression fails, not hangs.


def test_on_event_handlers_run_when_lifespan_context_is_none() -> None:
    from _lifespans import on_event_app

    events: list[str] = []
    lifespan = ProcessLifespan(on_event_app(events), name="test", timeout=5)
    lifespan.ensure_started()
    assert events == ["startup"] and lifespan.running
    lifespan.close()
    assert events == ["startup", "shutdown"]


def test_a_lifespan_that_is_no_async_context_manager_fails_at_once() -> None:
    from _lifespans import bad_app, returns_none

    lifespan = ProcessLifespan(bad_app(returns_none), name="my adapter", timeout=5)
    with pytest.raises(LifespanError, match=r"^my adapter: .*'Broken lifespan'"):
        lifespan.ensure_started()
    assert not lifespan.running


def test_a_hung_start_up_fails_naming_the_adapter_setting() -> None:
    from _lifespans import Hung
    from fastapi_everywhere._lifespan import StartupLimit

    hung = Hung()
    limit = StartupLimit(0.2, "MY_SETTING")
    lifespan = ProcessLifespan(hung.app, name="my adapter", timeout=5, limit=limit)
    with pytest.raises(LifespanError) as info:
        lifespan.ensure_started()
    assert str(info.value).startswith("my adapter: ")
    assert "within 0.2 s" in str(info.value) and "MY_SETTING" in str(info.value)
    assert not lifespan.running and hung.events == ["startup", "cancelled"]
    hung.hang = False  # tried again on the next request
    lifespan.ensure_started()
    lifespan.close()
    assert hung.events == ["startup", "cancelled", "startup", "shutdown"]
