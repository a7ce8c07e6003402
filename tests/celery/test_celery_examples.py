"""The Celery tasks of example_django and example_flask, run eagerly on SQLite."""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from demo.deps import DB_PATH_ENV, Settings, bearer_headers, init_db
from fastapi import HTTPException

from fastapi_everywhere.celery import shutdown


@pytest.fixture(params=["example_django.tasks", "example_flask.tasks"])
def example(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ModuleType, Path]]:
    db = tmp_path / "notes.db"
    monkeypatch.setenv(DB_PATH_ENV, str(db))
    init_db(Settings(db_path=str(db)))
    module = importlib.import_module(request.param)
    module.celery_app.conf.task_always_eager = True
    yield module, db
    module.celery_app.conf.task_always_eager = False
    shutdown(module.celery_app)


def notes(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT author, text FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_task_uses_the_views_dependencies(
    example: tuple[ModuleType, Path],
) -> None:
    module, db = example
    result = module.add_note.delay("from a task", _headers=bearer_headers("bob-token"))
    assert result.get(timeout=10) == {"id": 1, "author": "bob", "text": "from a task"}
    assert notes(db) == [("bob", "from a task")]


def test_an_unknown_token_fails_the_task_with_the_401(
    example: tuple[ModuleType, Path],
) -> None:
    module, db = example
    result = module.add_note.delay("nope", _headers=bearer_headers("stolen"))
    with pytest.raises(HTTPException) as info:
        result.get(timeout=10)
    # Itself, not Celery's UnpickleableExceptionWrapper: the caller can map it.
    assert (info.value.status_code, info.value.detail) == (401, "Unknown token")
    assert info.value.headers == {"WWW-Authenticate": "Bearer"}
    assert notes(db) == []
