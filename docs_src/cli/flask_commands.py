from __future__ import annotations

import click
from flask import Flask

from docs_src.cli.deps import Db, app
from fastapi_everywhere.flask import FastAPIDepends, resolve, with_fastapi_depends

flask_app = Flask(__name__)
FastAPIDepends(flask_app, fastapi_app=app)


@flask_app.cli.command("add")
@click.argument("text")
@click.option("--shout", is_flag=True)
@with_fastapi_depends  # under Flask's and Click's decorators
def add(text: str, shout: bool, *, db: Db) -> None:
    """Add a note."""
    assert resolve(Db) is db  # the command's own cache
    db.execute("INSERT INTO notes VALUES (?)", (text.upper() if shout else text,))
    click.echo(f"added {text!r}")


@flask_app.cli.command("count")
@with_fastapi_depends
async def count(*, db: Db) -> None:
    """Count the notes."""
    (n,) = db.execute("SELECT count(*) FROM notes").fetchone()
    click.echo(f"notes: {n}")
