"""Interpreter exit: what the sync API left running shuts down, without noise."""

import subprocess
import sys
import textwrap

import pytest

NOISE = (
    "Task was destroyed",
    "Event loop is closed",
    "Exception ignored",
    "Traceback",
    "was never awaited",
    "an error occurred during closing",
)

PRELUDE = """
import asyncio, sys, threading, time
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import sync

def say(*args):
    print(*args, flush=True)

@asynccontextmanager
async def lifespan(app):
    say("startup")
    async with httpx.AsyncClient() as client:
        yield {"client": client}
    say("shutdown")

app = FastAPI(lifespan=lifespan)

async def client(request: Request):
    try:
        async with httpx.AsyncClient(base_url="http://test") as c:
            yield c
    finally:
        say("client closed")

def sync_resource():
    yield "r"
    say("sync resource closed on", threading.current_thread().name)
"""


def run_script(body: str) -> subprocess.CompletedProcess[str]:
    code = PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-X", "dev", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    noise = [line for line in proc.stderr.splitlines() if any(n in line for n in NOISE)]
    assert noise == [], proc.stderr


def test_stack_left_open_is_closed_at_exit() -> None:
    proc = run_script(
        """
        stack = sync.FastApiDepsStack(app)
        stack.start()
        stack.resolve(client)
        say("main done")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "startup",
        "main done",
        "client closed",
        "shutdown",
    ]
    assert _quiet(proc.stderr) == ""


def test_stack_left_open_with_a_sync_generator_is_closed_at_exit() -> None:
    proc = run_script(
        """
        stack = sync.FastApiDepsStack(app)
        stack.start()
        stack.resolve(sync_resource)
        say("main done")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert "sync resource closed on" in proc.stdout
    assert _quiet(proc.stderr) == ""


def test_lifecycle_running_in_a_daemon_thread_shuts_down_at_exit() -> None:
    proc = run_script(
        """
        running = threading.Event()

        @sync.with_fastapi_lifecycle(app=app)
        def serve_forever():
            running.set()
            time.sleep(3600)

        threading.Thread(target=serve_forever, daemon=True).start()
        running.wait(10)
        say("main done")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["startup", "main done", "shutdown"]
    assert_clean(proc)


def test_sys_exit_inside_the_lifecycle_runs_shutdown() -> None:
    proc = run_script(
        """
        @sync.with_fastapi_lifecycle(app=app)
        @sync.with_fastapi_depends(app=app)
        def main(c: Annotated[httpx.AsyncClient, Depends(client)]):
            say("main")
            sys.exit(3)

        main()
        """
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.splitlines() == ["startup", "main", "client closed", "shutdown"]
    assert_clean(proc)


def test_suspended_generators_and_a_used_loop_exit_quietly() -> None:
    proc = run_script(
        """
        @sync.iter_with_fastapi_depends
        async def numbers(c: Annotated[httpx.AsyncClient, Depends(client)]):
            for i in range(10):
                yield i

        @sync.with_fastapi_depends
        async def ping(c: Annotated[httpx.AsyncClient, Depends(client)]):
            return "pong"

        say(ping())
        gen = numbers()
        say(next(gen))
        """
    )
    assert proc.returncode == 0, proc.stderr
    # The suspended generator is closed at exit, in the task that set it up.
    assert proc.stdout.splitlines() == ["client closed", "pong", "0", "client closed"]
    assert_clean(proc)


@pytest.mark.parametrize("closed", [False, True])
def test_runnify_script(closed: bool) -> None:
    proc = run_script(
        """
        import fastapi_everywhere
        fastapi_everywhere.configure(app=app)

        @sync.runnify_with_fastapi_depends
        def main(r: Annotated[str, Depends(sync_resource)]):
            say("main", r)

        main()
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "startup",
        "main r",
        "sync resource closed on MainThread",
        "shutdown",
    ]
    assert_clean(proc)


def test_a_hung_shutdown_does_not_hang_the_exit() -> None:
    proc = run_script(
        """
        from fastapi_everywhere._bridge import loop
        loop.SHUTDOWN_TIMEOUT = 0.5

        @asynccontextmanager
        async def stuck(app):
            say("startup")
            yield
            say("shutting down")
            await asyncio.sleep(3600)

        stack = sync.FastApiDepsStack(FastAPI(lifespan=stuck))
        stack.start()
        say("main done")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["startup", "main done", "shutting down"]
    assert "did not finish in time" in proc.stderr


def _quiet(stderr: str) -> str:
    """stderr without asyncio debug mode's slow-step notes (load, not faults)."""
    return "\n".join(
        line for line in stderr.splitlines() if not line.startswith("Executing <")
    )
