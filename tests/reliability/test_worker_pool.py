"""The worker threads sync dependencies run on when resolved from async code."""

import asyncio
import os
import threading
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import with_fastapi_depends
from fastapi_everywhere._engine import _threads

WORKER = "fastapi-everywhere-worker"


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == WORKER]


async def test_sync_dependencies_waiting_for_each_other_do_not_deadlock() -> None:
    # Each call's sync dependency waits until all of them run at once: a job
    # queued behind a busy thread (while the pool has room) would hang here.
    parties = 6
    barrier = threading.Barrier(parties, timeout=10)

    def rendezvous() -> int:
        return barrier.wait()

    @with_fastapi_depends
    async def target(seat: Annotated[int, Depends(rendezvous)]) -> int:
        return seat

    @with_fastapi_depends
    async def warm_up(seat: Annotated[int, Depends(lambda: 0)]) -> int:
        return seat

    await warm_up()  # so that the pool has an idle thread to (mis)count
    seats = await asyncio.wait_for(
        asyncio.gather(*(target() for _ in range(parties))), 20
    )
    assert sorted(seats) == list(range(parties))


async def test_sequential_calls_reuse_the_same_threads() -> None:
    def where() -> int:
        return threading.get_ident()

    @with_fastapi_depends
    async def target(ident: Annotated[int, Depends(where)]) -> int:
        return ident

    await target()  # the pool has at least one idle thread from here on
    before = len(_workers())
    idents = {await target() for _ in range(200)}
    assert threading.get_ident() not in idents  # never on the loop thread
    assert len(_workers()) == before  # no thread per call
    assert len(idents) <= before
    assert before <= _threads.MAX_WORKERS


async def test_an_exception_in_a_sync_dependency_reaches_the_caller() -> None:
    def broken() -> int:
        raise LookupError("no such row")

    @with_fastapi_depends
    async def target(value: Annotated[int, Depends(broken)]) -> int:
        return value

    for _ in range(3):  # and the thread that raised keeps serving
        try:
            await target()
        except LookupError as e:
            assert str(e) == "no such row"
        else:
            raise AssertionError("the dependency's error was lost")


def test_a_forked_child_gets_threads_of_its_own() -> None:
    def where() -> int:
        return threading.get_ident()

    @with_fastapi_depends
    async def target(ident: Annotated[int, Depends(where)]) -> int:
        return ident

    asyncio.run(target())  # the parent's pool has threads now
    assert _workers()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        code = 1
        try:
            # The parent's worker threads do not exist here: a job handed to
            # the parent's queue would never run (and this would hang).
            ident = asyncio.run(asyncio.wait_for(target(), 10))
            os.write(write, b"ok" if ident != threading.get_ident() else b"loop")
            code = 0
        except BaseException as e:
            os.write(write, repr(e).encode())
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        report = f.read()
    _, status = os.waitpid(pid, 0)
    assert report == b"ok"
    assert os.waitstatus_to_exitcode(status) == 0
    assert asyncio.run(target()) != threading.get_ident()  # the parent still works
