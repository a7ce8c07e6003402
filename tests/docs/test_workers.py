"""The examples of docs/workers.md, run: Celery tasks eagerly, a job, a background task."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import docs_src.workers.background as background
import docs_src.workers.celery_base as celery_base
import docs_src.workers.celery_tasks as celery_tasks
import docs_src.workers.deps as deps
import docs_src.workers.jobs as jobs
import pytest
from celery import Celery
from fastapi import HTTPException
from fastapi.testclient import TestClient

from fastapi_everywhere.celery import shutdown

ALICE = {"Authorization": "Bearer alice-token"}
ROOT = Path(__file__).resolve().parents[2]


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
        result = eager.whisper.delay("HEY", _headers=ALICE).get(timeout=10)
        assert result == "alice: hey"
        assert deps.LOG == ["lifespan startup", "commit", "commit"]
        return
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


# -- the same tasks through a real worker: Redis broker and result backend ----


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("the real-worker test needs redis-server (apt-get install)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start ({proc.poll()})")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_tasks_under_a_real_prefork_worker(redis_url: str, tmp_path: Path) -> None:
    broker, backend = f"{redis_url}/0", f"{redis_url}/1"
    env = {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": backend}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "docs_src.workers.celery_tasks"]
            + ["worker", "--pool=prefork", "--concurrency=1", "--loglevel=info"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    client = Celery("client", broker=broker, backend=backend)
    name = "docs_src.workers.celery_tasks."
    try:
        first = client.send_task(name + "add_note", ("hi",), {"_headers": ALICE})
        assert first.get(timeout=60) == 1, log.read_text()
        second = client.send_task(name + "add_note", ("again",), {"_headers": ALICE})
        assert second.get(timeout=60) == 2
        assert client.send_task(name + "count_notes").get(timeout=60) == 2
        stolen = {"_headers": {"Authorization": "Bearer stolen"}}
        with pytest.raises(HTTPException) as info:  # itself, through JSON
            client.send_task(name + "add_note", ("x",), stolen).get(timeout=60)
        assert (info.value.status_code, info.value.detail) == (401, "Unknown token")
        with pytest.raises(ValueError, match="empty note"):
            client.send_task(name + "add_note", ("",), {"_headers": ALICE}).get(
                timeout=60
            )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        client.close()
    assert worker.returncode == 0, log.read_text()
