"""``Depends(max_concurrency=...)``: the same limit as FastAPI under load."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

import asyncio
import threading
import time
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

import fastapi_everywhere

from ._harness import HAS_MAX_CONCURRENCY

pytestmark = pytest.mark.skipif(
    not HAS_MAX_CONCURRENCY, reason="this FastAPI has no Depends(max_concurrency=...)"
)

CALLS = 6


class Gauge:
    """Counts calls in flight and remembers the peak."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.calls = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.calls += 1
            self.peak = max(self.peak, self.now)

    def exit(self) -> None:
        with self.lock:
            self.now -= 1

    # A call holds its slot until ``want`` calls are in flight (at most a
    # second, however slowly threads start), then a little longer so that a
    # broken limit lets more in: the peak is the limit if it holds, above if not.
    def wait_sync(self, want: int) -> None:
        deadline = time.monotonic() + 1
        while self.peak < want and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(0.02)

    async def wait(self, want: int) -> None:
        deadline = time.monotonic() + 1
        while self.peak < want and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.02)


async def fastapi_peak(target, gauge: Gauge) -> tuple[int, int, list]:
    app = FastAPI()
    app.get("/")(target)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as client:
        responses = await asyncio.gather(*(client.get("/") for _ in range(CALLS)))
    return gauge.peak, gauge.calls, [r.json() for r in responses]


async def engine_peak(target, gauge: Gauge) -> tuple[int, int, list]:
    call = fastapi_everywhere.with_fastapi_depends(target)
    results = await asyncio.gather(*(call() for _ in range(CALLS)))
    return gauge.peak, gauge.calls, list(results)


def make_tree(kind: str, gauge: Gauge, limit: int):
    if kind == "async":

        async def limited() -> str:
            gauge.enter()
            await gauge.wait(limit)
            gauge.exit()
            return "ok"

    elif kind == "sync":

        def limited() -> str:
            gauge.enter()
            gauge.wait_sync(limit)
            gauge.exit()
            return "ok"

    elif kind == "agen":

        async def limited():
            gauge.enter()
            try:
                yield "ok"  # the slot is held until teardown
            finally:
                gauge.exit()

    else:

        def limited():
            gauge.enter()
            try:
                yield "ok"
            finally:
                gauge.exit()

    Limited = Annotated[str, Depends(limited, max_concurrency=limit)]

    async def target(a: Limited, b: Limited):
        await gauge.wait(limit)  # keeps yield dependencies' slots busy
        return [a, b]

    return target


@pytest.mark.parametrize("kind", ["async", "sync", "agen", "gen"])
@pytest.mark.parametrize("limit", [1, 2])
async def test_max_concurrency(kind: str, limit: int) -> None:
    fa_gauge, en_gauge = Gauge(), Gauge()
    expected = await fastapi_peak(make_tree(kind, fa_gauge, limit), fa_gauge)
    actual = await engine_peak(make_tree(kind, en_gauge, limit), en_gauge)
    assert actual == expected
    peak, calls, results = expected
    assert peak == limit
    assert calls == CALLS  # the cached second use takes no slot
    assert results == [["ok", "ok"]] * CALLS


async def test_limit_is_shared_by_one_depends_object() -> None:
    gauge = Gauge()

    async def a() -> str:
        gauge.enter()
        await asyncio.sleep(0.02)
        gauge.exit()
        return "a"

    shared = Depends(a, max_concurrency=1)

    async def target1(x: Annotated[str, shared]):
        return x

    async def target2(x: Annotated[str, shared]):
        return x

    call1 = fastapi_everywhere.with_fastapi_depends(target1)
    call2 = fastapi_everywhere.with_fastapi_depends(target2)
    await asyncio.gather(call1(), call2(), call1(), call2())
    engine_peak_ = gauge.peak

    gauge.peak = gauge.calls = 0
    app = FastAPI()
    app.get("/1")(target1)
    app.get("/2")(target2)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as client:
        await asyncio.gather(*(client.get(p) for p in ("/1", "/2", "/1", "/2")))
    assert engine_peak_ == gauge.peak == 1
