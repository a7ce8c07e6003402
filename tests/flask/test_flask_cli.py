"""``flask`` CLI commands decorated with ``with_fastapi_depends``.

(No ``from __future__ import annotations``: the commands annotate with local names.)
"""

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import click
import pytest
from fastapi import Depends, FastAPI, Request

from fastapi_everywhere.flask import resolve, with_fastapi_depends

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def events() -> list[str]:
    return []


@pytest.fixture
def cli_app(make_app: Any, events: list[str]) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        yield {"greeting": "hello"}
        events.append("shutdown")

    def db() -> Iterator[str]:
        events.append("open db")
        try:
            yield "db"
        except Exception as exc:
            events.append(f"rollback ({exc})")
            raise
        else:
            events.append("commit")

    def greeting(request: Request) -> str:
        return str(request.state.greeting)

    app = make_app(FastAPI(lifespan=lifespan))

    # click's decorators outside ours...
    @app.cli.command("greet")
    @click.argument("name")
    @click.option("--shout", is_flag=True)
    @with_fastapi_depends
    def greet(
        name: str,
        shout: bool,
        *,
        hello: Annotated[str, Depends(greeting)],
        conn: Annotated[str, Depends(db)],
    ) -> None:
        assert resolve(db) == conn  # the command's scope: same cache
        text = f"{hello} {name} via {conn}"
        click.echo(text.upper() if shout else text)

    # ...and inside ours; an async command; a failing one.
    @app.cli.command("count")
    @with_fastapi_depends
    @click.option("--n", type=int, default=2)
    async def count(n: int, *, conn: Annotated[str, Depends(db)]) -> None:
        click.echo(f"{n} from {conn}")

    @with_fastapi_depends
    def helper(*, conn: Annotated[str, Depends(db)]) -> str:
        return conn

    @app.cli.command("nested")
    @with_fastapi_depends
    def nested(*, conn: Annotated[str, Depends(db)]) -> None:
        click.echo(f"{conn} {helper()}")  # the command's scope: one db

    @app.cli.command("fail")
    @with_fastapi_depends
    def fail(*, conn: Annotated[str, Depends(db)]) -> None:
        raise click.ClickException("bad input")

    return app


def test_command_gets_deps_and_a_lifespan(cli_app: Any, events: list[str]) -> None:
    result = cli_app.test_cli_runner().invoke(args=["greet", "ann", "--shout"])
    assert (result.exit_code, result.output) == (0, "HELLO ANN VIA DB\n"), result.output
    assert events == ["startup", "open db", "commit", "shutdown"]


def test_click_option_inside_the_decorator_and_async(
    cli_app: Any, events: list[str]
) -> None:
    result = cli_app.test_cli_runner().invoke(args=["count", "--n", "5"])
    assert (result.exit_code, result.output) == (0, "5 from db\n"), result.output
    assert events == ["startup", "open db", "commit", "shutdown"]


def test_a_decorated_helper_shares_the_commands_scope(
    cli_app: Any, events: list[str]
) -> None:
    result = cli_app.test_cli_runner().invoke(args=["nested"])
    assert (result.exit_code, result.output) == (0, "db db\n"), result.output
    assert events == ["startup", "open db", "commit", "shutdown"]


def test_failing_command_rolls_back(cli_app: Any, events: list[str]) -> None:
    result = cli_app.test_cli_runner().invoke(args=["fail"])
    assert result.exit_code == 1 and "bad input" in result.output
    assert events == ["startup", "open db", "rollback (bad input)", "shutdown"]


def test_a_running_lifespan_is_left_running(cli_app: Any, events: list[str]) -> None:
    lifespan = cli_app.extensions["fastapi_everywhere"].lifespan
    lifespan.ensure_started()  # e.g. a test that started it
    cli_app.test_cli_runner().invoke(args=["count"])
    assert lifespan.running and events == ["startup", "open db", "commit"]


def test_real_flask_cli_process(tmp_path: Any) -> None:
    env = dict(os.environ, FASTAPI_EVERYWHERE_DEMO_DB=str(tmp_path / "cli.db"))
    flask = [sys.executable, "-m", "flask", "--app", "example_flask", "notes", "alice"]
    add = subprocess.run(
        [*flask, "--add", "from a real CLI"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert add.returncode == 0, add.stderr
    listed = subprocess.run(
        flask, cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert listed.stdout == "1\tfrom a real CLI\n", listed.stderr  # committed
