from __future__ import annotations

import click

from docs_src.cli.deps import Db, app
from fastapi_everywhere.sync import runnify_with_fastapi_depends


@click.group()
def cli() -> None:
    """Notes."""


@cli.command("add")
@click.argument("text")
@click.option("--times", type=click.IntRange(min=1), default=1, show_default=True)
@runnify_with_fastapi_depends(app=app)
def add(text: str, times: int, *, db: Db) -> None:
    """Add a note."""
    for _ in range(times):
        db.execute("INSERT INTO notes VALUES (?)", (text,))
    click.echo(f"added {text!r} x{times}")


@cli.command("list")
@runnify_with_fastapi_depends(app=app)
def list_notes(*, db: Db) -> None:
    """List the notes."""
    for (text,) in db.execute("SELECT text FROM notes ORDER BY rowid"):
        click.echo(text)


if __name__ == "__main__":
    cli()
