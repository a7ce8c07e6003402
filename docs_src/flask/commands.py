import click
from flask.cli import AppGroup

from fastapi_everywhere.flask import with_fastapi_depends

from .deps import Repo

notes_cli = AppGroup("notes")  # app.cli.add_command(notes_cli)


@notes_cli.command("add")
@click.argument("user")
@click.argument("text")
@with_fastapi_depends  # the lifespan is started for the command
def add_note(user: str, text: str, *, repo: Repo) -> None:
    notes = repo.list_for(user)  # a command has no request: no bearer token
    notes.append(text)
    click.echo(f"{user} has {len(notes)} notes")
