"""A lifespan that cannot start never hangs the sync API (issue 13, part 6).

Each call passes ``timeout=BOUND`` (each wait on the loop thread): without
the fix the tests fail with a loop timeout instead of hanging the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from fastapi import FastAPI

import fastapi_everywhere
from _lifespans import BAD_LIFESPANS, Hung, bad_app, on_event_app
from fastapi_everywhere import LifespanError, _lifespan, sync
from fastapi_everywhere._bridge import loop

BOUND = 5.0


def enter_lifecycle(app: FastAPI, events: list[str]) -> None:
    @sync.with_fastapi_lifecycle(app=app, timeout=BOUND)
    def body() -> None:
        events.append("body")

    body()


def enter_runnify(app: FastAPI, events: list[str]) -> None:
    @sync.runnify_with_fastapi_depends(app=app, timeout=BOUND)
    async def body() -> None:
        events.append("body")

    body()


def enter_stack(app: FastAPI, events: list[str]) -> None:
    with sync.FastApiDepsStack(app, timeout=BOUND):
        events.append("body")


ENTRIES: dict[str, tuple[Callable[[FastAPI, list[str]], None], str]] = {
    "with_fastapi_lifecycle": (enter_lifecycle, "sync.with_fastapi_lifecycle("),
    "runnify_with_fastapi_depends": (
        enter_runnify,
        "sync.runnify_with_fastapi_depends(",
    ),
    "FastApiDepsStack": (enter_stack, "FastApiDepsStack.start: "),
}
entries = pytest.mark.parametrize("entry", list(ENTRIES))


@entries
def test_on_event_handlers_run_when_lifespan_context_is_none(entry: str) -> None:
    enter, _ = ENTRIES[entry]
    events: list[str] = []
    enter(on_event_app(events), events)
    assert events == ["startup", "body", "shutdown"]


@entries
@pytest.mark.parametrize("shape", ["plain function", "object"])
def test_a_lifespan_that_is_no_async_context_manager_fails_at_once(
    entry: str, shape: str
) -> None:
    enter, owner = ENTRIES[entry]
    lifespan, what = BAD_LIFESPANS[shape]
    events: list[str] = []
    with pytest.raises(LifespanError) as info:
        enter(bad_app(lifespan), events)
    message = str(info.value)
    assert message.startswith(owner) and "'Broken lifespan'" in message
    assert what in message
    assert events == []


@entries
def test_a_start_up_that_never_finishes_times_out_and_leaves_nothing(
    entry: str,
) -> None:
    enter, owner = ENTRIES[entry]
    loop.get_loop()  # the loop thread exists before counting threads
    threads = threading.active_count()
    fastapi_everywhere.configure(lifespan_timeout=0.2)
    hung = Hung()
    with pytest.raises(LifespanError) as info:
        enter(hung.app, hung.events)
    message = str(info.value)
    assert message.startswith(owner) and "'Hung start-up'" in message
    assert "fastapi_everywhere.configure(lifespan_timeout=...)" in message
    assert hung.events == ["startup", "cancelled"]
    assert hung.app not in _lifespan._running
    assert threading.active_count() == threads
    hung.hang = False  # the next call starts afresh
    enter(hung.app, hung.events)
    assert hung.events == ["startup", "cancelled", "startup", "body", "shutdown"]
