"""A Typer CLI whose commands get FastAPI dependencies.

    NOTES_DB=notes.db python examples/cli/typer_app.py add "buy milk" --times 2
    NOTES_DB=notes.db python examples/cli/typer_app.py list

``runnify_with_fastapi_depends`` runs each command inside the app's lifespan
with its dependencies resolved; injected parameters are hidden from the
signature Typer reads, so only ``text`` and ``--times`` become CLI parameters.
"""

# No ``from __future__ import annotations`` here: Typer reads the options
# from the wrapper's signature, whose annotations must be real objects.
from typing import Annotated

import typer
from notes_deps import Db, app

from fastapi_everywhere.sync import runnify_with_fastapi_depends

cli = typer.Typer(add_completion=False)


@cli.command("add")
@runnify_with_fastapi_depends(app=app)
def add(
    text: str,
    times: Annotated[int, typer.Option(min=1, help="how many copies")] = 1,
    *,
    db: Db,
) -> None:
    """Add a note."""
    for _ in range(times):
        db.execute("INSERT INTO notes VALUES (?)", (text,))
    print(f"added {text!r} x{times}")


@cli.command("list")
@runnify_with_fastapi_depends(app=app)
async def list_notes(*, db: Db) -> None:
    """List the notes (an async command works the same)."""
    for (text,) in db.execute("SELECT text FROM notes ORDER BY rowid"):
        print(text)


@cli.command("fail")
@runnify_with_fastapi_depends(app=app)
def fail(text: str, *, db: Db) -> None:
    """Add a note, then fail: the transaction rolls back."""
    db.execute("INSERT INTO notes VALUES (?)", (text,))
    raise typer.Exit(code=3)


if __name__ == "__main__":
    cli()
