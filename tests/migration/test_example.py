"""``examples/migration``: the runnable mixed app, and the move that changes no document.

Each check runs in a process of its own (the example configures Django).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_example_serves_every_side_from_one_lifespan() -> None:
    done = _run(["-m", "examples.migration"], {})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("POST /flask/notes       201"), done.stdout
    assert all(" 200 " in line for line in lines[1:6]), done.stdout
    # One counter, from the one lifespan: every side's hits are in it.
    stats = json.loads(lines[5].split(" 200 ", 1)[1])
    assert stats == {
        "/flask/notes": 2,
        "/flask/notes/1": 1,
        "/django/notes/1": 1,
        "/django/mine": 1,
    }
    assert "Application shutdown complete" in done.stdout


def test_moving_the_endpoints_leaves_the_openapi_document_unchanged(
    tmp_path: Path,
) -> None:
    dump = (
        "import json; from examples.migration.api import api; "
        "print(json.dumps(api.openapi(), sort_keys=True))"
    )
    documents = {}
    for moved in ("0", "1"):
        done = _run(
            ["-c", dump],
            {"MIGRATION_MOVED": moved, "MIGRATION_EXAMPLE_DB": str(tmp_path / "db")},
        )
        assert done.returncode == 0, done.stderr
        documents[moved] = json.loads(done.stdout.splitlines()[-1])
    assert "/flask/notes" in documents["1"]["paths"]
    assert "/django/mine" in documents["1"]["paths"]
    assert documents["0"] == documents["1"]
