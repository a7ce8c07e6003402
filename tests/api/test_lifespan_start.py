"""A lifespan that cannot start never hangs the async API (issue 13, part 6).

Every test is bounded (``asyncio.wait_for``): without the fix they fail
instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI

import fastapi_everywhere
from _lifespans import BAD_LIFESPANS, Hung, bad_app, no_handlers_app, on_event_app
from fastapi_everywhere import (
    FastApiDepsStack,
    LifespanError,
    _config,
    _lifespan,
    runnify_with_fastapi_depends,
    with_fastapi_lifecycle,
)

BOUND = 5.0  # seconds: a regression fails here instead of hanging


async def enter_stack(app: FastAPI, events: list[str]) -> None:
    async with FastApiDepsStack(app=app):
        events.append("body")


async def enter_lifecycle(app: FastAPI, events: list[str]) -> None:
    @with_fastapi_lifecycle(app=app)
    async def body() -> None:
        events.append("body")

    await body()


async def enter_runnify(app: FastAPI, events: list[str]) -> None:
    async def body() -> None:
        events.append("body")

    # runnify runs its own event loop: in a thread, as from a script; a
    # daemon one, so that a regression that hangs it cannot hang the suite.
    failed: list[BaseException] = []

    def run() -> None:
        try:
            runnify_with_fastapi_depends(body, app=app)()
        except BaseException as e:
            failed.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.01)
    if failed:
        raise failed[0]


Enter = Callable[[FastAPI, list[str]], Awaitable[None]]
ENTRIES: dict[str, tuple[Enter, str]] = {
    "FastApiDepsStack": (enter_stack, "FastApiDepsStack.start: "),
    "with_fastapi_lifecycle": (enter_lifecycle, "with_fastapi_lifecycle("),
    "runnify_with_fastapi_depends": (enter_runnify, "runnify_with_fastapi_depends("),
}
entries = pytest.mark.parametrize("entry", list(ENTRIES))


def lifespan_tasks() -> list[asyncio.Task[Any]]:
    return [
        t
        for t in asyncio.all_tasks()
        if t.get_name().startswith("fastapi-everywhere lifespan")
    ]


@entries
async def test_on_event_handlers_run_when_lifespan_context_is_none(entry: str) -> None:
    enter, _ = ENTRIES[entry]
    events: list[str] = []
    await asyncio.wait_for(enter(on_event_app(events), events), BOUND)
    assert events == ["startup", "body", "shutdown"]


@entries
async def test_none_without_handlers_fails_at_once(entry: str) -> None:
    enter, owner = ENTRIES[entry]
    events: list[str] = []
    with pytest.raises(LifespanError) as info:
        await asyncio.wait_for(enter(no_handlers_app(), events), BOUND)
    message = str(info.value)
    assert message.startswith(owner) and "'Broken lifespan'" in message
    assert "is None" in message and "lifespan=" in message
    assert events == []


@entries
@pytest.mark.parametrize("shape", list(BAD_LIFESPANS))
async def test_a_lifespan_that_is_no_async_context_manager_fails_at_once(
    entry: str, shape: str
) -> None:
    enter, owner = ENTRIES[entry]
    lifespan, what = BAD_LIFESPANS[shape]
    events: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(LifespanError) as info:
            await asyncio.wait_for(enter(bad_app(lifespan), events), BOUND)
        gc.collect()
    message = str(info.value)
    assert message.startswith(owner) and "'Broken lifespan'" in message
    assert what in message and "@asynccontextmanager" in message
    assert events == []
    assert not [w for w in caught if "never awaited" in str(w.message)]


@entries
async def test_a_start_up_that_never_finishes_times_out_and_leaves_nothing(
    entry: str,
) -> None:
    enter, owner = ENTRIES[entry]
    fastapi_everywhere.configure(lifespan_timeout=0.2)
    hung = Hung()
    with pytest.raises(LifespanError) as info:
        await asyncio.wait_for(enter(hung.app, hung.events), BOUND)
    message = str(info.value)
    assert message.startswith(owner) and "'Hung start-up'" in message
    assert "within 0.2 s" in message
    assert "fastapi_everywhere.configure(lifespan_timeout=...)" in message
    # Cancelled and cleaned up: no task, no entry; the next attempt starts afresh.
    assert hung.events == ["startup", "cancelled"]
    assert lifespan_tasks() == [] and hung.app not in _lifespan._running
    hung.hang = False
    await asyncio.wait_for(enter(hung.app, hung.events), BOUND)
    assert hung.events == ["startup", "cancelled", "startup", "body", "shutdown"]


async def test_concurrent_waiters_on_a_hung_start_up_fail_together() -> None:
    fastapi_everywhere.configure(lifespan_timeout=0.2)
    hung = Hung()
    results = await asyncio.wait_for(
        asyncio.gather(
            enter_stack(hung.app, hung.events),
            enter_lifecycle(hung.app, hung.events),
            return_exceptions=True,
        ),
        BOUND,
    )
    assert [type(r) for r in results] == [LifespanError, LifespanError]
    assert hung.events == ["startup", "cancelled"]


async def test_a_start_up_that_swallows_its_cancellation_still_fails() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def stubborn(app: FastAPI) -> Any:
        events.append("startup")
        try:
            await asyncio.sleep(BOUND)
        except asyncio.CancelledError:
            events.append("swallowed")
        yield
        events.append("shutdown")

    fastapi_everywhere.configure(lifespan_timeout=0.2)
    app = FastAPI(title="Stubborn", lifespan=stubborn)
    with pytest.raises(LifespanError, match="'Stubborn' did not finish start-up"):
        await asyncio.wait_for(enter_stack(app, events), BOUND)
    await asyncio.sleep(0)  # its late start-up is shut down at once
    assert events == ["startup", "swallowed", "shutdown"]
    assert lifespan_tasks() == []


async def test_a_waiter_cancelled_during_start_up_cancels_it() -> None:
    hung = Hung()  # the default limit (60 s) is far away
    waiter = asyncio.ensure_future(enter_stack(hung.app, hung.events))
    await asyncio.sleep(0.2)
    waiter.cancel()
    # Not wait_for: it would wait for ever for a cancellation that hangs.
    done, _ = await asyncio.wait({waiter}, timeout=BOUND)
    assert done and waiter.cancelled()
    assert hung.events == ["startup", "cancelled"]
    assert lifespan_tasks() == [] and hung.app not in _lifespan._running
    hung.hang = False
    await asyncio.wait_for(enter_stack(hung.app, hung.events), BOUND)
    assert hung.events[2:] == ["startup", "body", "shutdown"]


@pytest.mark.parametrize("value", [0, -1, "5", True, None])
def test_configure_rejects_a_bad_lifespan_timeout(value: Any) -> None:
    with pytest.raises(ValueError, match=r"configure: lifespan_timeout= must be"):
        fastapi_everywhere.configure(lifespan_timeout=value)
    assert _config.lifespan_timeout() == _config.DEFAULT_LIFESPAN_TIMEOUT


def test_the_lifespan_timeout_defaults_to_60_s_and_resets() -> None:
    assert _config.DEFAULT_LIFESPAN_TIMEOUT == 60.0
    fastapi_everywhere.configure(lifespan_timeout=2.5)
    assert _lifespan.default_limit() == (
        2.5,
        "fastapi_everywhere.configure(lifespan_timeout=...)",
    )
    fastapi_everywhere.reset_config()
    assert _config.lifespan_timeout() == 60.0
