"""The Alembic example: ``alembic upgrade``/``downgrade`` in a subprocess, on SQLite.

env.py runs the migrations inside the FastAPI lifespan on a connection
injected by the app's own dependency, in one transaction.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "alembic"


def alembic(
    db: Path, *args: str, fail: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    env.pop("FAIL_MIGRATION", None)
    if fail:
        env["FAIL_MIGRATION"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(EXAMPLE / "alembic.ini"), *args],
        cwd=db.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def tables(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {
            n
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
    finally:
        conn.close()


def marks(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if line.startswith(("lifespan:", "connection:"))
    ]


def test_upgrade_and_downgrade_inside_the_lifespan(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    up = alembic(db, "upgrade", "head")
    assert up.returncode == 0, up.stderr
    assert "Running upgrade  -> 0001" in up.stderr
    assert marks(up.stderr) == [
        "lifespan: startup",
        "connection: committed",
        "lifespan: shutdown",
    ]
    assert tables(db) == {"alembic_version", "notes"}
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
        ("0001",)
    ]
    assert conn.execute("SELECT text FROM notes").fetchall() == [("welcome",)]
    conn.close()

    down = alembic(db, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    assert marks(down.stderr) == [
        "lifespan: startup",
        "connection: committed",
        "lifespan: shutdown",
    ]
    assert tables(db) == {"alembic_version"}


def test_failed_migration_rolls_back_and_shuts_down(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    failed = alembic(db, "upgrade", "head", fail=True)
    assert failed.returncode != 0
    assert "RuntimeError: migration 0001 failed on purpose" in failed.stderr
    # No commit; the lifespan still shut down; nothing of the migration stayed.
    assert marks(failed.stderr) == ["lifespan: startup", "lifespan: shutdown"]
    assert tables(db) <= {"alembic_version"}
    assert alembic(db, "current").stdout.strip() == ""
