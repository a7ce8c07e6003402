"""The examples of docs/workers.md, run: Celery tasks eagerly, a job, a background task."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import docs_src.workers.background as background
import docs_src.workers.celery_base as celery_base
import docs_src.workers.celery_tasks as celery_tasks
import docs_src.workers.deps as deps
import docs_src.workers.jobs as jobs
import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from fastapi_everywhere.celery import shutdown

ALICE = {"Authorization": "Bearer alice-token"}


@pytest.fixture(autouse=True)
def _fresh_log() -> Iterator[None]:
    deps.LOG.clear()
    yield
    deps.LOG.clear()


@pytest.fixture(params=[celery_tasks, celery_base], ids=["decorator", "base"])
def eager(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    module: ModuleType = request.param
    module.celery_app.conf.task_always_eager = True
    yield module
    module.celery_app.conf.task_always_eager = False
    shutdown(module.celery_app)


@pytest.fixture
def tasks() -> Iterator[ModuleType]:
    celery_tasks.celery_app.conf.task_always_eager = True
    yield celery_tasks
    celery_tasks.celery_app.conf.task_always_eager = False
    shutdown(celery_tasks.celery_app)


def test_a_task_run_is_one_request_in_the_worker_lifespan(tasks: ModuleType) -> None:
    assert tasks.add_note.delay("hi", _headers=ALICE).get(timeout=10) == 1
    assert tasks.add_note.delay("again", _headers=ALICE).get(timeout=10) == 2
    assert tasks.count_notes.delay().get(timeout=10) == 2  # async def, same state
    assert deps.LOG == ["lifespan startup", "commit", "commit"]
    shutdown(tasks.celery_app)
    assert deps.LOG[-1] == "lifespan shutdown"


def test_injected_parameters_are_hidden_from_celery(tasks: ModuleType) -> None:
    with pytest.raises(TypeError, match="db"):
        tasks.add_note.delay("x", db=None)


def test_a_failing_task_rolls_back(tasks: ModuleType) -> None:
    with pytest.raises(ValueError, match="empty note"):
        tasks.add_note.delay("", _headers=ALICE).get(timeout=10)
    assert deps.LOG == ["lifespan startup", "rollback (ValueError)"]


def test_an_unknown_token_fails_the_task_with_the_401(tasks: ModuleType) -> None:
    with pytest.raises(HTTPException) as info:
        tasks.add_note.delay("x", _headers={"Authorization": "Bearer stolen"}).get(
            timeout=10
        )
    assert (info.value.status_code, info.value.detail) == (401, "Unknown token")


def test_base_class_and_async_task_share_the_runs_cache(eager: ModuleType) -> None:
    if eager is celery_tasks:
        assert eager.add_note.delay("hey", _headers=ALICE).get(timeout=10) == 1
    else:
        result = eager.shout.delay("hey", _headers=ALICE).get(timeout=10)
        assert result == "alice: HEY"
    assert deps.LOG == ["lifespan startup", "commit"]


def test_a_job_function_gets_deps_and_background_tasks() -> None:
    stack = jobs.worker_process()
    try:
        headers = {"headers": [(b"authorization", b"Bearer bob-token")]}
        assert jobs.import_note("from a job", _scope=headers) == 1
        assert jobs.import_note("and another", _scope=headers) == 2
    finally:
        stack.close()
    assert deps.LOG[0] == "lifespan startup" and deps.LOG[-1] == "lifespan shutdown"
    assert deps.LOG.count("commit") == 2
    assert deps.LOG.count("notify bob") == 2


def test_a_background_task_resolves_from_the_requests_headers() -> None:
    with TestClient(background.app) as client:
        response = client.post("/orders", headers=ALICE)
    assert response.json() == {"status": "created"}
    assert "audit order-created by alice" in deps.LOG
