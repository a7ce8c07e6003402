"""The examples of docs/injectable.md (switching from fastapi-injectable) run
and do what the page says."""

from __future__ import annotations

import asyncio
import inspect
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import docs_src.injectable.app as app
import docs_src.injectable.basic as basic
import docs_src.injectable.cli as cli
import docs_src.injectable.long_lived as long_lived
import docs_src.injectable.per_call as per_call
import docs_src.injectable.request_data as request_data
import docs_src.injectable.rollback as rollback
import docs_src.injectable.scoped as scoped
import docs_src.injectable.shared as shared
import docs_src.injectable.threads as threads
import pytest
from fastapi.exceptions import RequestValidationError
from typer.testing import CliRunner

import fastapi_everywhere as fe

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    fe.reset_config()
    fe.AppState.reset_standalone()
    app.app.dependency_overrides.clear()


def test_basic_sync_async_and_async_from_sync() -> None:
    assert basic.process_data(10) == "data (first 10)"
    assert asyncio.run(basic.process_data_async(3)) == "data (first 3)"
    assert basic.report() == "DATA"
    assert not inspect.iscoroutinefunction(basic.report)


def test_a_passed_dependency_wins_by_keyword_or_position() -> None:
    class Fake(basic.Database):
        def query(self) -> str:
            return "fake"

    assert basic.process_data(1, db=Fake()) == "fake (first 1)"
    assert basic.process_data(1, Fake()) == "fake (first 1)"


def test_injected_parameters_are_hidden_from_the_signature() -> None:
    assert list(inspect.signature(basic.process_data).parameters) == ["limit"]


def test_each_call_is_one_request() -> None:
    per_call.events.clear()
    first, second = per_call.process(["msg-1", "msg-2"])
    assert first is not second
    assert not first.open and not second.open
    assert per_call.events == ["opened", "closed", "opened", "closed"]


def test_a_singleton_is_built_once() -> None:
    shared.built.clear()
    assert shared.dsn() is shared.dsn()
    assert shared.built == ["settings"]


def test_the_exception_reaches_the_yield() -> None:
    rollback.log.clear()
    rollback.transfer(5)
    with pytest.raises(ValueError, match="negative"):
        rollback.transfer(-1)
    assert rollback.log == ["add 5", "commit", "close", "rollback", "close"]


def test_a_container_keeps_what_it_resolved_until_it_closes() -> None:
    long_lived.log.clear()
    pool, big = long_lived.main()
    assert (pool.size, big.size) == (4, 8)
    assert pool.closed and big.closed
    assert long_lived.log == [
        "pool 4 opened",
        "pool 8 opened",
        "pool 8 closed",
        "pool 4 closed",
    ]


def test_one_container_per_event() -> None:
    scoped.log.clear()
    results = asyncio.run(scoped.consume(["a", "b"]))
    assert results == ["a on conn-0", "b on conn-1"]
    assert sorted(scoped.log) == [
        "close conn-0",
        "close conn-1",
        "open conn-0",
        "open conn-1",
    ]


def test_configured_app_lifespan_and_overrides() -> None:
    app.pools.clear()
    app.setup()
    assert fe.get_app() is app.app
    pool, greeting = app.main()
    assert greeting == "hello"
    assert pool is app.pools[0] and pool.closed  # lifespan ran around the call
    app.app.dependency_overrides[app.get_greeting] = lambda: "hi"
    assert app.main()[1] == "hi"  # the next call sees the override
    app.app.dependency_overrides.clear()
    assert app.main()[1] == "hello"
    assert len(app.pools) == 3  # one lifespan per run


def test_headers_from_the_call_scope_and_background_tasks_after() -> None:
    request_data.sent.clear()
    scope = {"headers": {"authorization": "Bearer alice"}}
    assert request_data.greet(_scope=scope) == "hello alice"
    assert request_data.sent == ["mail to alice"]


def test_a_missing_header_is_fastapis_validation_error() -> None:
    with pytest.raises(fe.MissingParameterError) as caught:
        request_data.greet()
    assert isinstance(caught.value, RequestValidationError)
    assert "authorization" in str(caught.value)


def test_sync_steps_on_the_caller_async_ones_on_one_loop_thread() -> None:
    sync_thread, loop_thread = threads.where()
    assert sync_thread == threading.get_ident()
    assert loop_thread != threading.get_ident()
    assert threads.where()[1] == loop_thread

    # From another thread too, the same loop thread.
    other: list[tuple[int, int]] = []
    t = threading.Thread(target=lambda: other.append(threads.where()))
    t.start()
    t.join()
    assert other[0][0] == t.ident and other[0][1] == loop_thread


def test_typer_command_without_injected_options() -> None:
    runner = CliRunner()
    done = runner.invoke(cli.cli, ["bob"])
    assert done.exit_code == 0, done.output
    assert done.output == "Hello, bob\n"
    helped = runner.invoke(cli.cli, ["--help"])
    assert "greeting" not in helped.output.lower()


def test_an_open_container_is_closed_when_sigterm_ends_the_process() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "docs_src.injectable.shutdown"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "opened\n"
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert out == "closed\n"
    assert proc.returncode == 0
