"""Runners and lifecycle wrappers of both vocabularies."""

from collections.abc import Coroutine
from typing import Any

from common import CurrentUser, Report
from typing_extensions import assert_type

from fastapi_everywhere import (
    INJECTED,
    runnify_with_fastapi_depends,
    sync,
    with_fastapi_lifecycle,
)


@runnify_with_fastapi_depends
async def main(argv: list[str], user: CurrentUser = INJECTED) -> int:
    return 0


@sync.runnify_with_fastapi_depends(timeout=3.0)
async def sync_main(argv: list[str], user: CurrentUser = INJECTED) -> Report:
    return Report()


@with_fastapi_lifecycle
async def job(n: int) -> str:
    return str(n)


@with_fastapi_lifecycle()
def sync_job(n: int) -> bytes:
    return b""


@sync.with_fastapi_lifecycle
async def blocking_job(n: int) -> float:
    return 0.0


assert_type(main([]), int)
assert_type(sync_main(["x"]), Report)
assert_type(blocking_job(1), float)
main("x")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
sync_main()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
blocking_job(n="1")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
main([], verbose=True)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def lifecycle() -> None:
    assert_type(await job(1), str)
    coro = assert_type(sync_job(2), Coroutine[Any, Any, bytes])
    assert_type(await coro, bytes)
    await job("1")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await sync_job()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
