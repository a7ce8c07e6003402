"""docs/scripts.md: the examples print what the page says."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ._run import ROOT, lines, run_example


def test_configuration() -> None:
    out = lines("docs_src.scripts.configure_app")
    assert out[0].startswith("get_app: No FastAPI app configured")
    assert out[1:] == ["True True None", "False"]


def test_decorator_passes_the_callers_arguments() -> None:
    assert lines("docs_src.scripts.decorator") == [
        "12.0",
        "20.0",
        "(amount: float) -> float",
    ]


def test_static_and_call_time_scope() -> None:
    assert lines("docs_src.scripts.request_data") == [
        "POST /reports?page=1 by unknown",
        "POST /reports?page=3 by cron",
    ]


@pytest.mark.filterwarnings("ignore:Using `httpx` with")
def test_background_task_gets_the_requests_scope() -> None:
    assert lines("docs_src.scripts.background_scope") == ["['order-created by ann']"]


def test_context_factory() -> None:
    assert lines("docs_src.scripts.context") == ["{'job': 'nightly'}"]


def test_async_generator() -> None:
    assert lines("docs_src.scripts.aiter") == [
        "[0, 1, 2]",
        "0 1",
        "['open cursor', 'close cursor', 'open cursor', 'close cursor']",
    ]


def test_lifecycle() -> None:
    assert lines("docs_src.scripts.lifecycle") == [
        "startup",
        "syncing with the pool",
        "syncing with the pool",
        "shutdown",
    ]


def test_lifespan_that_never_starts_fails() -> None:
    (out,) = lines("docs_src.scripts.lifespan_timeout")
    assert out.startswith("with_fastapi_lifecycle(__main__.main): the lifespan")
    assert "did not finish start-up within 0.5 s" in out


def test_runnify(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["runnify.py", "users"])
    with pytest.raises(SystemExit) as exited:
        run_example("docs_src.scripts.runnify")
    assert exited.value.code == 0
    from docs_src.scripts.runnify import main

    assert main("orders") == 0
    assert capsys.readouterr().out == "3 rows in orders\n"


def test_runnify_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "docs_src.scripts.runnify", "users"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "2 rows in users\n"), done.stderr


def test_notebook_stack() -> None:
    assert lines("docs_src.scripts.notebook") == [
        "startup",
        "open client",
        "client True",
        "close client",
        "shutdown",
    ]


def test_resolve_fastapi_depends() -> None:
    assert lines("docs_src.scripts.resolve") == [
        "['session']",
        "order 7 in session",
        "session closed",
    ]


def test_check_routes() -> None:
    assert lines("docs_src.scripts.checks") == [
        "['dependency __main__.get_settings (used by GET /)']",
        "FastAPIEverywhereError",
    ]


def test_errors() -> None:
    assert lines("docs_src.scripts.errors") == [
        "True missing",
        "string_too_long",
        "403 Forbidden",
    ]
