"""The example of docs/alembic.md: real Alembic commands on a SQLite file in a tmp dir.

Alembic executes ``docs_src/alembic/env.py`` itself (an env.py is a script,
not a module to import): the ini's ``script_location`` is that file's folder.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from pathlib import Path

import docs_src.alembic.db_app as db_app
import docs_src.alembic.versions.create_notes as create_notes
import pytest
from alembic import command
from alembic.config import Config

ENV = importlib.util.find_spec("docs_src.alembic.env")
assert ENV is not None and ENV.origin is not None
HERE = Path(ENV.origin).parent

FAILING = '''"""Fails after creating a table."""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True))
    raise RuntimeError("migration 0002 failed")
'''


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "app.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    return db


def config(*extra_versions: Path) -> Config:
    cfg = Config(str(HERE / "alembic.ini"))
    if extra_versions:
        locations = [str(HERE / "versions"), *map(str, extra_versions)]
        cfg.set_main_option("version_locations", os.pathsep.join(locations))
    return cfg


def tables(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}
    finally:
        conn.close()


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_upgrade_and_downgrade_run_inside_the_lifespan(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lifespans: list[str] = []
    original = db_app.app.router.lifespan_context

    def counted(app: object) -> object:
        lifespans.append("run")
        return original(app)

    monkeypatch.setattr(db_app.app.router, "lifespan_context", counted)
    assert create_notes.revision == "0001"
    command.upgrade(config(), "head")
    assert tables(database) == {"alembic_version", "notes"}
    assert query(database, "SELECT version_num FROM alembic_version") == [("0001",)]
    assert query(database, "SELECT text FROM notes") == [("welcome",)]
    command.downgrade(config(), "base")
    assert tables(database) == {"alembic_version"}
    assert lifespans == ["run", "run"]  # one lifespan per command


def test_a_failing_migration_rolls_every_migration_back(
    database: Path, tmp_path: Path
) -> None:
    more = tmp_path / "more_versions"
    more.mkdir()
    (more / "add_tags.py").write_text(FAILING)
    with pytest.raises(RuntimeError, match="migration 0002 failed"):
        command.upgrade(config(more), "head")
    # One transaction: 0001's table and its version row are gone too.
    assert tables(database) <= {"alembic_version"}
    if "alembic_version" in tables(database):
        assert query(database, "SELECT * FROM alembic_version") == []


def test_offline_mode_is_refused(database: Path) -> None:
    with pytest.raises(SystemExit, match="online"):
        command.upgrade(config(), "head", sql=True)
