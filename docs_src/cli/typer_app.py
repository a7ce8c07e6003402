from typing import Annotated

import typer

from docs_src.cli.deps import Db, app
from fastapi_everywhere.sync import runnify_with_fastapi_depends

cli = typer.Typer(add_completion=False)


@cli.command("add")
@runnify_with_fastapi_depends(app=app)
def add(
    text: str,
    times: Annotated[int, typer.Option(min=1, help="How many copies.")] = 1,
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
    """List the notes (an async command works the same way)."""
    for (text,) in db.execute("SELECT text FROM notes ORDER BY rowid"):
        print(text)


@cli.command("fail")
@runnify_with_fastapi_depends(app=app)
def fail(text: str, *, db: Db) -> None:
    """Insert a note, then exit with 3: the insert is rolled back."""
    db.execute("INSERT INTO notes VALUES (?)", (text,))
    raise typer.Exit(code=3)


if __name__ == "__main__":
    cli()
