"""The examples of docs/cli.md, run through Typer's, Click's and Flask's CliRunner."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import docs_src.cli.click_app as click_app
import docs_src.cli.deps as deps
import docs_src.cli.flask_commands as flask_commands
import docs_src.cli.typer_app as typer_app
import pytest
from click.testing import CliRunner as ClickRunner
from typer.testing import CliRunner as TyperRunner


@pytest.fixture(autouse=True)
def notes_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    db = tmp_path / "notes.db"
    monkeypatch.setenv("NOTES_DB", str(db))
    deps.EVENTS.clear()
    yield db
    deps.EVENTS.clear()


def notes(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [t for (t,) in conn.execute("SELECT text FROM notes ORDER BY rowid")]
    finally:
        conn.close()


def test_typer_sees_only_the_commands_own_parameters() -> None:
    result = TyperRunner().invoke(typer_app.cli, ["add", "--help"])
    assert result.exit_code == 0, result.output
    assert "--times" in result.output and "How many copies." in result.output
    assert "--db" not in result.output


def test_typer_command_runs_in_the_lifespan_with_its_deps(notes_db: Path) -> None:
    runner = TyperRunner()
    result = runner.invoke(typer_app.cli, ["add", "buy milk", "--times", "2"])
    assert result.exit_code == 0, result.output
    assert result.output == "added 'buy milk' x2\n"
    assert deps.EVENTS == ["startup", "commit", "shutdown"]
    listed = runner.invoke(typer_app.cli, ["list"])  # the async command
    assert listed.output.splitlines() == ["buy milk", "buy milk"]
    assert notes(notes_db) == ["buy milk", "buy milk"]


def test_typer_validates_options_and_a_failing_command_rolls_back(
    notes_db: Path,
) -> None:
    runner = TyperRunner()
    assert runner.invoke(typer_app.cli, ["add", "x", "--times", "0"]).exit_code == 2
    assert deps.EVENTS == []  # rejected before the lifespan started
    failed = runner.invoke(typer_app.cli, ["fail", "lost"])
    assert failed.exit_code == 3
    assert deps.EVENTS == ["startup", "rollback", "shutdown"]
    assert notes(notes_db) == []


def test_click_command(notes_db: Path) -> None:
    runner = ClickRunner()
    helped = runner.invoke(click_app.cli, ["add", "--help"])
    assert "--times" in helped.output and "--db" not in helped.output
    result = runner.invoke(click_app.cli, ["add", "tea", "--times", "3"])
    assert result.exit_code == 0, result.output
    assert result.output == "added 'tea' x3\n"
    assert runner.invoke(click_app.cli, ["list"]).output.split() == ["tea"] * 3
    assert deps.EVENTS == ["startup", "commit", "shutdown"] * 2
    assert notes(notes_db) == ["tea"] * 3


def test_flask_commands(notes_db: Path) -> None:
    runner = flask_commands.flask_app.test_cli_runner()
    result = runner.invoke(args=["add", "hello", "--shout"])
    assert (result.exit_code, result.output) == (0, "added 'hello'\n"), result.output
    assert deps.EVENTS == ["startup", "commit", "shutdown"]
    counted = runner.invoke(args=["count"])
    assert (counted.exit_code, counted.output) == (0, "notes: 1\n"), counted.output
    assert notes(notes_db) == ["HELLO"]
