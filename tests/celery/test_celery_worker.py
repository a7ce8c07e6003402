"""A real Celery worker: prefork pool of 2 processes, Redis broker and result backend.

The worker runs ``fe_celery_tasks`` in a subprocess; every lifespan event,
teardown and rollback in its processes is a row in a SQLite file, counted
after the worker was stopped with SIGTERM (warm shutdown).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from fastapi.exceptions import RequestValidationError

from fastapi_everywhere import MissingParameterError

HERE = Path(__file__).parent
NOTES = 60  # add_note tasks, spread over both processes


@dataclass
class WorkerRun:
    """What the module's one worker run produced."""

    pid: int
    db: Path
    exit_code: int
    log: str
    results: dict[str, Any] = field(default_factory=dict)


def _rows(db: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _wait_for_startups(db: Path, proc: subprocess.Popen[bytes], n: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the Celery worker exited early with {proc.returncode}")
        if _rows(db, "SELECT count(*) FROM events WHERE kind = 'startup'")[0][0] >= n:
            return
        time.sleep(0.1)
    pytest.fail("the Celery worker's processes did not start their lifespans")


@pytest.fixture(scope="module")
def worker_run(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerRun]:
    """Start the worker, run every task through it, stop it; yield what happened."""
    db = tmp_path_factory.mktemp("celery") / "events.db"
    broker, backend = f"{redis_url}/0", f"{redis_url}/1"
    env = {
        **os.environ,
        "FE_CELERY_DB": str(db),
        "FE_CELERY_BROKER": broker,
        "FE_CELERY_BACKEND": backend,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    subprocess.run(
        [sys.executable, "-c", "import fe_celery_tasks as t; t.init_db()"],
        env=env,
        check=True,
    )
    log_path = db.with_suffix(".log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fe_celery_tasks",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            cwd=HERE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    client = Celery("client", broker=broker, backend=backend)
    try:
        _wait_for_startups(db, proc, 2)
        sent = {
            "notes": [
                client.send_task("fe_celery_tasks.add_note", args=(f"n{i}",))
                for i in range(NOTES)
            ],
            "fail": [
                client.send_task("fe_celery_tasks.fail_note", args=(f"lost{i}",))
                for i in range(3)
            ],
            "flaky": client.send_task("fe_celery_tasks.flaky_note", args=("f",)),
            "async": client.send_task("fe_celery_tasks.async_task", args=(21,)),
            "based": client.send_task("fe_celery_tasks.based_note", args=("b",)),
            "tenant": client.send_task(
                "fe_celery_tasks.whoami", kwargs={"_headers": {"x-tenant": "7"}}
            ),
            "invalid": client.send_task(
                "fe_celery_tasks.whoami", kwargs={"_headers": {"x-tenant": "abc"}}
            ),
            "missing": client.send_task("fe_celery_tasks.whoami"),
        }
        results: dict[str, Any] = {
            "notes": [r.get(timeout=60) for r in sent["notes"]],
            "fail": [r.get(timeout=60, propagate=False) for r in sent["fail"]],
        }
        for key in ("flaky", "async", "based", "tenant", "invalid", "missing"):
            results[key] = sent[key].get(timeout=60, propagate=False)
            results[f"{key}_state"] = sent[key].state
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            exit_code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        client.close()
    yield WorkerRun(proc.pid, db, exit_code, log_path.read_text(), results)


def _events(run: WorkerRun, kind: str) -> list[int]:
    return [
        pid for (pid,) in _rows(run.db, f"SELECT pid FROM events WHERE kind = '{kind}'")
    ]


def test_worker_exits_cleanly(worker_run: WorkerRun) -> None:
    assert worker_run.exit_code == 0, worker_run.log
    for fatal in ("WorkerLostError", "Unrecoverable error", "LifespanError"):
        assert fatal not in worker_run.log, worker_run.log


def test_tasks_run_with_deps_in_both_processes(worker_run: WorkerRun) -> None:
    notes = worker_run.results["notes"]
    assert len(notes) == NOTES
    assert all(n["task"] == "fe_celery_tasks.add_note" and n["same"] for n in notes)
    # request.state is the lifespan's of the very process that ran the task.
    assert all(n["lifespan_pid"] == n["pid"] for n in notes)
    assert {n["pid"] for n in notes} <= set(_events(worker_run, "startup"))
    assert worker_run.results["async"] == 42
    assert worker_run.results["based"] == "B"
    assert worker_run.results["tenant"] == 7
    assert worker_run.results["flaky"] == 1


def test_lifespan_once_per_worker_process_never_in_parent(
    worker_run: WorkerRun,
) -> None:
    startups = _events(worker_run, "startup")
    shutdowns = _events(worker_run, "shutdown")
    assert len(startups) == 2 and len(set(startups)) == 2
    assert sorted(shutdowns) == sorted(startups)
    assert worker_run.pid not in startups  # not the parent that forks the pool


def test_teardown_per_task_run_and_rollback_on_failure(worker_run: WorkerRun) -> None:
    runs_with_db = NOTES + 3 + 2 + 1 + 1  # notes, failures, flaky twice, async, based
    assert len(_events(worker_run, "teardown")) == runs_with_db
    rollbacks = sorted(
        d
        for (d,) in _rows(
            worker_run.db, "SELECT detail FROM events WHERE kind = 'rollback'"
        )
    )
    assert rollbacks == ["Retry", "ValueError", "ValueError", "ValueError"]
    texts = {t for (t,) in _rows(worker_run.db, "SELECT text FROM notes")}
    assert texts == {f"n{i}" for i in range(NOTES)} | {"f#1", "b"}
    for error in worker_run.results["fail"]:
        assert isinstance(error, ValueError) and "lost" in str(error)


def test_validation_errors_are_the_task_exception(worker_run: WorkerRun) -> None:
    assert worker_run.results["invalid_state"] == "FAILURE"
    invalid = worker_run.results["invalid"]
    assert isinstance(invalid, RequestValidationError), repr(invalid)
    # Rebuilt by the client from the JSON result: FastAPI's errors(), tuples as lists.
    assert invalid.errors()[0]["loc"] == ["header", "x-tenant"]
    assert invalid.errors()[0]["type"] == "int_parsing"
    assert worker_run.results["missing_state"] == "FAILURE"
    missing = worker_run.results["missing"]
    # Rebuilt from its args alone: the same type, with FastAPI's errors().
    assert isinstance(missing, MissingParameterError), repr(missing)
    assert missing.errors()[0]["loc"] == ["header", "x-tenant"]
    assert missing.errors()[0]["type"] == "missing"
