"""``runnify_with_fastapi_depends`` as Typer and Click commands: the examples, run for real."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cli"


@pytest.fixture
def notes_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    db = tmp_path / "notes.db"
    monkeypatch.setenv("NOTES_DB", str(db))
    monkeypatch.syspath_prepend(str(EXAMPLES))
    yield db


def notes(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [t for (t,) in conn.execute("SELECT text FROM notes ORDER BY rowid")]
    finally:
        conn.close()


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("lifespan:", "db:"))]


@pytest.fixture
def typer_cli(notes_db: Path) -> Any:
    import typer_app

    return typer_app.cli


@pytest.fixture
def click_cli(notes_db: Path) -> Any:
    import click_app

    return click_app.cli


def test_typer_hides_injected_parameters(typer_cli: Any) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(typer_cli, ["add", "--help"])
    assert result.exit_code == 0, result.output
    assert "--times" in result.output and "how many copies" in result.output
    assert "--db" not in result.output and "request" not in result.output.lower()


def test_typer_command_runs_with_lifespan_and_teardown(
    typer_cli: Any, notes_db: Path
) -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    result = runner.invoke(typer_cli, ["add", "milk", "--times", "2"])
    assert result.exit_code == 0, result.output
    assert "added 'milk' x2" in result.stdout
    assert lines(result.stderr) == [
        "lifespan: startup",
        "db: closed",
        "lifespan: shutdown",
    ]
    listed = runner.invoke(typer_cli, ["list"])  # an async command
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.split() == ["milk", "milk"]
    assert notes(notes_db) == ["milk", "milk"]


def test_typer_validation_and_rollback(typer_cli: Any, notes_db: Path) -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    bad = runner.invoke(typer_cli, ["add", "x", "--times", "0"])
    assert bad.exit_code == 2 and "--times" in bad.output
    failed = runner.invoke(typer_cli, ["fail", "lost"])
    assert failed.exit_code == 3
    assert lines(failed.stderr) == [
        "lifespan: startup",
        "db: rollback",
        "db: closed",
        "lifespan: shutdown",
    ]
    assert notes(notes_db) == []


def test_click_hides_injected_parameters_and_passes_options(
    click_cli: Any, notes_db: Path
) -> None:
    from click.testing import CliRunner

    runner = CliRunner()
    helped = runner.invoke(click_cli, ["add", "--help"])
    assert (
        helped.exit_code == 0
        and "--times" in helped.output
        and "--db" not in helped.output
    )
    result = runner.invoke(click_cli, ["add", "tea", "--times", "3"])
    assert result.exit_code == 0, result.output
    assert "added 'tea' x3" in result.stdout
    assert lines(result.stderr) == [
        "lifespan: startup",
        "db: closed",
        "lifespan: shutdown",
    ]
    assert runner.invoke(click_cli, ["list"]).stdout.split() == ["tea"] * 3
    assert runner.invoke(click_cli, ["add", "x", "--times", "0"]).exit_code == 2


@pytest.mark.parametrize("script", ["typer_app.py", "click_app.py"])
def test_real_subprocess(script: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NOTES_DB": str(tmp_path / "n.db"),
        "PYTHONPATH": str(EXAMPLES),
    }
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "add", "bread", "--times", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "added 'bread' x2" in run.stdout
    assert lines(run.stderr) == [
        "lifespan: startup",
        "db: closed",
        "lifespan: shutdown",
    ]
    assert notes(tmp_path / "n.db") == ["bread", "bread"]
