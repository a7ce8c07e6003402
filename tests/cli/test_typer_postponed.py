"""Typer reads options from the wrapper's signature, even with postponed annotations."""

from __future__ import annotations

from typing import Annotated

import typer
from fastapi import Depends
from typer.testing import CliRunner

from fastapi_everywhere.sync import runnify_with_fastapi_depends


def get_greeting() -> str:
    return "hi"


app = typer.Typer()


@app.command()
@runnify_with_fastapi_depends
def hello(
    name: str,
    times: Annotated[int, typer.Option()] = 1,
    *,
    greet: Annotated[str, Depends(get_greeting)],
) -> None:
    for _ in range(times):
        typer.echo(f"{greet} {name}")


def test_typer_options_work_with_postponed_annotations() -> None:
    result = CliRunner().invoke(app, ["bob", "--times", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["hi bob", "hi bob"]
    # The injected parameter is no CLI option.
    assert "--greet" not in CliRunner().invoke(app, ["--help"]).output
