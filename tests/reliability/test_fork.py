"""Fork safety: a child gets its own loop thread and lifespan; the parent is untouched."""

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import sync
from fastapi_everywhere._bridge import loop

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    # Forking a process that runs a loop thread is what we test.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

started_in: list[int] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    started_in.append(os.getpid())
    yield {"pid": os.getpid()}


APP = FastAPI(lifespan=lifespan)


async def loop_info() -> tuple[int, int]:
    return os.getpid(), threading.get_ident()


def lifespan_pid(request: Request) -> int:
    return int(request.state.pid)


@sync.with_fastapi_depends
def work(info: Annotated[tuple[int, int], Depends(loop_info)]) -> tuple[int, int]:
    return info


def _in_child(fn: Any) -> tuple[int, str]:
    """Run ``fn()`` in a forked child; (exit status, what it wrote)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(read)
            os.write(write, repr(fn()).encode())
            code = 0
        except BaseException as e:
            os.write(write, f"error {e!r}".encode())
        finally:
            os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode()


def test_os_fork_child_gets_its_own_loop_thread() -> None:
    parent_pid, parent_loop = work()

    def child() -> Any:
        assert not loop.loop_running()  # the parent's loop is forgotten
        pid, ident = work()
        assert pid == os.getpid() != parent_pid
        assert loop.loop_running()
        return "child ok"

    status, out = _in_child(child)
    assert (status, out) == (0, "'child ok'")
    assert work() == (parent_pid, parent_loop)  # the parent is unaffected


def test_fork_inside_a_running_lifespan_stack() -> None:
    with sync.FastApiDepsStack(APP) as stack:
        assert stack.resolve(lifespan_pid) == os.getpid()

        def child() -> Any:
            # The stack was started by the parent: the child starts its own
            # lifespan (and loop) on first use, never the parent's.
            return stack.resolve(lifespan_pid) == os.getpid()

        assert _in_child(child) == (0, "True")
        assert stack.resolve(lifespan_pid) == os.getpid()
    assert started_in[-1] == os.getpid()


def _pool_task(n: int) -> tuple[int, int]:
    pid, _ = work()
    return pid, n * 2


def test_multiprocessing_fork_pool() -> None:
    parent = work()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.map(_pool_task, range(8))
    assert [n for _, n in results] == [n * 2 for n in range(8)]
    assert all(pid != os.getpid() for pid, _ in results)
    assert work() == parent


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_fork_while_other_threads_are_waiting_on_the_loop() -> None:
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            work()

    threads = [threading.Thread(target=busy) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            assert _in_child(lambda: work()[0] == os.getpid()) == (0, "True")
    finally:
        stop.set()
        for t in threads:
            t.join()


def test_process_lifespan_restarts_in_a_forked_child() -> None:
    from fastapi_everywhere._host import ProcessLifespan, RequestScope

    started_in.clear()
    process_lifespan = ProcessLifespan(APP, name="fork test")
    process_lifespan.ensure_started()
    assert started_in == [os.getpid()]

    def child() -> int:
        process_lifespan.ensure_started()  # the parent's is not the child's
        # The parent's lifespan task is garbage here: finalising it must not
        # run the parent's shutdown nor drop the child's state.
        gc.collect()
        scope = RequestScope({"type": "http"}, app=APP)
        pid = scope.call(lambda p=Depends(lifespan_pid): p)
        scope.close()
        return pid

    # Garbage earlier tests left is collected here, not at random in the
    # child: the child's collection is then of this test's objects only.
    # (Once in a CI matrix run the child saw no lifespan state; not yet
    # reproduced, see the session notes.)
    gc.collect()
    code, out = _in_child(child)
    assert code == 0, out
    assert int(out) != os.getpid()  # request.state came from the child's lifespan
    assert process_lifespan.running
    process_lifespan.close()
    assert not process_lifespan.running
