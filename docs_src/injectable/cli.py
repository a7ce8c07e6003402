"""A Typer command: injected parameters are no CLI options."""

from typing import Annotated

import typer
from fastapi import Depends

from fastapi_everywhere import INJECTED, sync


def get_greeting() -> str:
    return "Hello"


cli = typer.Typer()


@cli.command()
@sync.runnify_with_fastapi_depends  # under @cli.command(); the lifespan too, if an app is configured
def greet(
    name: str, greeting: Annotated[str, Depends(get_greeting)] = INJECTED
) -> None:
    print(f"{greeting}, {name}")


if __name__ == "__main__":
    cli()
