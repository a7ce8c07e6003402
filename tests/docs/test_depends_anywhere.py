"""The examples of docs/depends_anywhere.md (switching from
fastapi-depends-anywhere) run and do what the page says."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import docs_src.depends_anywhere.call_time as call_time
import docs_src.depends_anywhere.lifespan_tasks as lifespan_tasks
import docs_src.depends_anywhere.scopes as scopes
import docs_src.depends_anywhere.stack as stack
import docs_src.depends_anywhere.switch as switch
import docs_src.depends_anywhere.threads as threads
import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

import fastapi_everywhere as fe


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    fe.reset_config()
    yield
    fe.reset_config()


def test_the_predecessors_usage_with_the_import_changed() -> None:
    switch.log.clear()
    assert asyncio.run(switch.main()) == "users from db"
    assert switch.log == ["startup", "db opened", "db closed", "shutdown"]
    switch.log.clear()
    assert switch.count_orders() == "orders from db"
    assert switch.log == ["db opened", "db closed"]  # no lifespan: as theirs
    switch.log.clear()
    assert asyncio.run(switch.notebook()) == "db"
    assert switch.log == [
        "startup",
        "db opened",
        "resolved db",
        "db closed",
        "shutdown",
    ]


def test_no_app_needed_app_read_at_call_time_and_the_callers_value_wins() -> None:
    assert call_time.main() == ["hello ann", "hi bob", "hey cy"]


def test_get_app_without_an_app_raises() -> None:
    with pytest.raises(fe.NotConfiguredError) as caught:
        fe.get_app()
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, RuntimeError)
    assert not fe.is_configured()


def test_the_context_factory_is_read_at_call_time() -> None:
    seen: list[dict[str, str]] = []

    @contextmanager
    def factory(ctx: dict[str, str]) -> Iterator[None]:
        seen.append(ctx)
        yield

    @fe.with_fastapi_depends(context={"job": "nightly"})
    async def job() -> int:
        return 1

    fe.configure(app=FastAPI(), context_factory=factory)
    assert fe.get_context_factory() is factory
    assert asyncio.run(job()) == 1
    assert seen == [{"job": "nightly"}]


def test_call_scope_is_merged_over_the_decorator_scope() -> None:
    assert scopes.main() == "POST /jobs/nightly for acme"


def test_lifespan_state_and_background_tasks() -> None:
    lifespan_tasks.mailers.clear()
    assert lifespan_tasks.send_report("ops") == "queued"
    assert lifespan_tasks.mailers[0].sent == ["report to ops"]


def test_stack_resolves_every_form() -> None:
    resolved = stack.main()
    assert [type(s) for s in resolved] == [stack.Settings] * 3


def test_sync_dependencies_run_on_the_calling_thread() -> None:
    assert threads.on_my_thread()
    answers: list[bool] = []
    t = threading.Thread(target=lambda: answers.append(threads.on_my_thread()))
    t.start()
    t.join()
    assert answers == [True]


def test_a_missing_parameter_is_fastapis_error_naming_it() -> None:
    with pytest.raises(fe.MissingParameterError) as caught:
        asyncio.run(scopes.nightly_job())
    assert isinstance(caught.value, RequestValidationError)
    assert "header.x-tenant" in str(caught.value)
    assert "nightly_job" in str(caught.value)
