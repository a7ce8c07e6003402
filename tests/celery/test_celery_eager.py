"""Celery's in-process paths (``task_always_eager``, ``apply``, direct calls)."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import fe_celery_tasks as tasks
import pytest
from celery import Celery
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError

import fastapi_everywhere
from fastapi_everywhere import MissingParameterError
from fastapi_everywhere.celery import (
    FastAPIDependsTask,
    _integration,
    aresolve,
    resolve,
    setup,
    shutdown,
    with_fastapi_depends,
)


@pytest.fixture
def events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh events database; the lifespan shut down after the test."""
    db = tmp_path / "events.db"
    monkeypatch.setattr(tasks, "DB_PATH", str(db))
    tasks.init_db()
    tasks.celery_app.conf.task_always_eager = True
    yield db
    tasks.celery_app.conf.task_always_eager = False
    shutdown(tasks.celery_app)


def rows(db: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def kinds(db: Path) -> dict[str, int]:
    return dict(rows(db, "SELECT kind, count(*) FROM events GROUP BY kind"))


def test_injected_parameters_are_hidden_from_celery(events: Path) -> None:
    sig = inspect.signature(tasks.add_note.run)
    assert list(sig.parameters) == ["text", "_headers"]  # bound: self is the task
    assert list(inspect.signature(tasks.based_note.run).parameters) == [
        "text",
        "_headers",
    ]
    # Celery's argument check sees the task's own parameters only.
    with pytest.raises(TypeError, match="text"):
        tasks.add_note.delay()
    with pytest.raises(TypeError, match="unexpected keyword argument 'db'"):
        tasks.based_note.delay("x", db=1)


def test_eager_task_runs_with_deps_lifespan_and_teardown(events: Path) -> None:
    result = tasks.add_note.delay("hello").get(timeout=10)
    assert result["task"] == "fe_celery_tasks.add_note"
    assert result["lifespan_pid"] == result["pid"]  # request.state from the lifespan
    assert result["same"] is True  # resolve() shares the run's cache
    assert tasks.based_note.delay("b").get(timeout=10) == "B"
    assert tasks.async_task.delay(21).get(timeout=10) == 42
    assert kinds(events) == {"startup": 1, "teardown": 3}
    assert rows(events, "SELECT text FROM notes ORDER BY text") == [("b",), ("hello",)]
    shutdown(tasks.celery_app)
    assert kinds(events)["shutdown"] == 1


def test_failing_task_rolls_back(events: Path) -> None:
    result = tasks.fail_note.apply(args=("lost",))
    assert result.failed()
    assert isinstance(result.result, ValueError)
    assert kinds(events) == {"startup": 1, "teardown": 1, "rollback": 1}
    assert rows(events, "SELECT detail FROM events WHERE kind = 'rollback'") == [
        ("ValueError",)
    ]
    assert rows(events, "SELECT * FROM notes") == []


def test_retry_rolls_back_and_resolves_again(events: Path) -> None:
    assert tasks.flaky_note.delay("f").get(timeout=10) == 1
    assert kinds(events) == {"startup": 1, "teardown": 2, "rollback": 1}
    assert rows(events, "SELECT detail FROM events WHERE kind = 'rollback'") == [
        ("Retry",)
    ]
    assert rows(events, "SELECT text FROM notes") == [("f#1",)]


def test_headers_reach_header_dependencies(events: Path) -> None:
    assert tasks.whoami.delay(_headers={"X-Tenant": "7"}).get(timeout=10) == 7


def test_invalid_and_missing_parameters_fail_the_task(events: Path) -> None:
    with pytest.raises(RequestValidationError) as invalid:
        tasks.whoami.apply(kwargs={"_headers": {"x-tenant": "abc"}}, throw=True)
    assert invalid.value.errors()[0]["loc"] == ("header", "x-tenant")
    assert invalid.value.errors()[0]["type"] == "int_parsing"
    with pytest.raises(MissingParameterError, match="x-tenant") as missing:
        tasks.whoami.apply(throw=True)
    assert "whoami" in str(missing.value)
    with pytest.raises(TypeError, match="_headers"):
        tasks.whoami.apply(kwargs={"_headers": "x-tenant: 1"}, throw=True)


def test_direct_call_is_one_scope_too(events: Path) -> None:
    assert tasks.based_note("direct") == "DIRECT"
    assert kinds(events) == {"startup": 1, "teardown": 1}


def test_overrides_of_the_fastapi_app_apply(events: Path) -> None:
    tasks.fastapi_app.dependency_overrides[tasks.tenant] = lambda: 99
    try:
        assert tasks.whoami.delay().get(timeout=10) == 99
    finally:
        tasks.fastapi_app.dependency_overrides.clear()


def test_misuse_has_clear_errors() -> None:
    app = Celery("misuse", broker="memory://")

    @app.task
    def plain() -> None: ...

    with pytest.raises(TypeError, match="below @celery_app.task"):
        with_fastapi_depends(plain)
    with pytest.raises(TypeError, match="reserved"):

        @with_fastapi_depends
        def reserved(_headers: dict[str, str]) -> None: ...

    with pytest.raises(TypeError, match="expected a Celery app"):
        setup(object())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="no running task"):
        resolve(tasks.get_db)
    with pytest.raises(RuntimeError, match=r"celery\.aresolve\(.*no running task"):
        asyncio.run(aresolve(tasks.get_db))


def test_aresolve_in_an_async_task_shares_the_run(events: Path) -> None:
    result = tasks.async_resolving_task.delay().get(timeout=10)
    assert result == {"same": True, "resolve_refused": True}
    assert kinds(events) == {"startup": 1, "teardown": 1}


def base_value() -> int:  # module level: the test module's annotations are strings
    return 1


def test_configured_app_is_the_default(app: Any) -> None:
    """Without setup(), the app given to configure() supplies overrides."""
    local = Celery("local", broker="memory://")
    local.conf.task_always_eager = True

    app.dependency_overrides[base_value] = lambda: 5

    @local.task(base=FastAPIDependsTask)
    def uses(n: int, *, b: Annotated[int, Depends(base_value)]) -> int:
        return n + b

    assert uses.delay(1).get(timeout=10) == 6


def test_default_integration_follows_configure() -> None:
    """Without setup(), a newly configured app gets its own lifespan; the old one ends."""
    seen: list[str] = []

    def make(name: str) -> FastAPI:
        @asynccontextmanager
        async def lifespan(app: FastAPI):
            seen.append(f"{name} up")
            yield {"name": name}
            seen.append(f"{name} down")

        return FastAPI(lifespan=lifespan)

    local = Celery("switch", broker="memory://")
    local.conf.task_always_eager = True

    @local.task
    @with_fastapi_depends
    def which(request: Request) -> str:
        return str(request.state.name)

    fastapi_everywhere.configure(app=make("a"))
    assert which.delay().get(timeout=10) == "a"
    fastapi_everywhere.configure(app=make("b"))
    assert which.delay().get(timeout=10) == "b"
    assert seen == ["a up", "a down", "b up"]
    fastapi_everywhere.reset_config()
    _integration._default.close()
    assert seen == ["a up", "a down", "b up", "b down"]


def test_request_app_without_an_app_is_the_standalone_state() -> None:
    """No app configured: request.app.state is what set_app_state_value stored."""
    local = Celery("no-app", broker="memory://")
    local.conf.task_always_eager = True

    @local.task
    @with_fastapi_depends
    def read(request: Request) -> str:
        return str(request.app.state.db)

    fastapi_everywhere.set_app_state_value("db", "the-db")
    try:
        assert read.delay().get(timeout=10) == "the-db"
    finally:
        fastapi_everywhere.AppState.standalone().delete("db")


# -- a lifespan that cannot start (issue 13, part 6) ------------------------------


@pytest.fixture
def local_celery() -> Iterator[Celery]:
    """An eager Celery app; its worker-process lifespan shut down after the test."""
    local = Celery("lifespan_start", broker="memory://")
    local.conf.task_always_eager = True
    yield local
    shutdown(local)


def test_worker_lifespan_runs_on_event_handlers(local_celery: Celery) -> None:
    from _lifespans import on_event_app

    events: list[str] = []
    setup(local_celery, on_event_app(events), timeout=5)

    @local_celery.task
    @with_fastapi_depends
    def ping() -> str:
        return "pong"

    assert ping.delay().get(timeout=10) == "pong"
    assert events == ["startup"]
    shutdown(local_celery)
    assert events == ["startup", "shutdown"]


def test_worker_lifespan_that_hangs_fails_the_task(local_celery: Celery) -> None:
    from _lifespans import Hung
    from fastapi_everywhere import LifespanError

    hung = Hung()
    fastapi_everywhere.configure(lifespan_timeout=0.2)
    setup(local_celery, hung.app, timeout=5)  # timeout: a regression fails, not hangs

    @local_celery.task
    @with_fastapi_depends
    def ping_hung() -> str:
        return "pong"

    with pytest.raises(LifespanError, match=r"^celery worker: .*'Hung start-up'"):
        ping_hung.delay().get(timeout=10)
    assert hung.events == ["startup", "cancelled"]
    hung.hang = False  # the next task starts it afresh
    assert ping_hung.delay().get(timeout=10) == "pong"
