"""Load: many threads calling one decorated function never see each other's values."""

import asyncio
import contextvars
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Header, Request

from fastapi_everywhere import sync

THREADS = 12
CALLS = 150

current: contextvars.ContextVar[str] = contextvars.ContextVar("current", default="")


def user_from_header(x_user: Annotated[str, Header()]) -> str:
    current.set(x_user)
    return x_user


async def session(
    user: Annotated[str, Depends(user_from_header)],
) -> AsyncIterator[dict[str, str]]:
    await asyncio.sleep(0)  # interleave with other threads' resolutions
    assert current.get() == user
    yield {"user": user}
    await asyncio.sleep(0)


def repo(
    s: Annotated[dict[str, str], Depends(session)], request: Request
) -> Iterator[tuple[str, str, int]]:
    yield s["user"], request.headers["x-user"], threading.get_ident()


@sync.with_fastapi_depends
def handler(
    r: Annotated[tuple[str, str, int], Depends(repo)],
) -> tuple[str, str, str, int, int]:
    return (*r[:2], current.get(), r[2], threading.get_ident())


def test_threads_hammering_one_function_with_different_headers() -> None:
    errors: list[str] = []
    barrier = threading.Barrier(THREADS)

    def work(n: int) -> None:
        barrier.wait()
        me = threading.get_ident()
        for i in range(CALLS):
            name = f"user-{n}-{i}"
            got = handler(_scope={"headers": {"x-user": name}})
            if got != (name, name, name, me, me):
                errors.append(f"{name}: {got}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_no_thread_or_task_leak_after_many_calls() -> None:
    handler(_scope={"headers": {"x-user": "warm"}})
    before = threading.active_count()

    async def count_tasks() -> int:
        return len(asyncio.all_tasks())

    from fastapi_everywhere._bridge import loop

    tasks_before = asyncio.run_coroutine_threadsafe(
        count_tasks(), loop.get_loop()
    ).result()
    for i in range(300):
        handler(_scope={"headers": {"x-user": str(i)}})
    assert threading.active_count() == before
    tasks_after = asyncio.run_coroutine_threadsafe(
        count_tasks(), loop.get_loop()
    ).result()
    assert tasks_after == tasks_before
