"""A ``flask`` CLI command using the shared dependencies."""

from __future__ import annotations

import click
from demo.deps import Repo, User

from fastapi_everywhere.flask import with_fastapi_depends


@click.command("notes")
@click.argument("user")
@click.option("--add", "text", default=None, help="Add this note first.")
@with_fastapi_depends
def notes_command(user: str, text: str | None, *, repo: Repo) -> None:
    """List USER's notes (``flask --app example_flask notes alice --add hi``).

    The FastAPI lifespan runs for the command (it creates the schema); the
    connection commits when the command returns.
    """
    author = User(name=user)
    if text is not None:
        note = repo.add(author, text)
        click.echo(f"added #{note.id}")
    for note in repo.list_for(author):
        click.echo(f"{note.id}\t{note.text}")
