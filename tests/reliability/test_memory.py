"""No growth: many calls of the mixed tree keep memory flat (tracemalloc)."""

import gc
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Header

from fastapi_everywhere import sync


def settings() -> dict[str, str]:
    return {"dsn": "sqlite://"}


async def db(s: Annotated[dict[str, str], Depends(settings)]) -> AsyncIterator[str]:
    yield s["dsn"]


def repo(d: Annotated[str, Depends(db)]) -> Iterator[str]:
    yield d


@sync.with_fastapi_depends
def handler(r: Annotated[str, Depends(repo)], x_user: Annotated[str, Header()]) -> str:
    return r + x_user


@sync.iter_with_fastapi_depends
async def stream(r: Annotated[str, Depends(repo)]) -> AsyncIterator[str]:
    yield r


def growth_kib(call, n: int) -> float:  # type: ignore[no-untyped-def]
    for _ in range(n // 5):
        call()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            call()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / 1024


def test_calls_do_not_grow_memory() -> None:
    scope = {"headers": {"x-user": "u"}}
    assert growth_kib(lambda: handler(_scope=scope), 3000) < 64


def test_abandoned_generators_do_not_grow_memory() -> None:
    def abandon() -> None:
        for _ in stream():
            break

    assert growth_kib(abandon, 1500) < 64
