"""Flask route decorator: the view's own signature, injected ones optional."""

from common import CurrentUser, Database, get_db
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere import INJECTED
from fastapi_everywhere.flask import with_fastapi_depends


@with_fastapi_depends
def show(item_id: int, user: CurrentUser = INJECTED) -> dict[str, str]:
    return {}


@with_fastapi_depends(status_code=201)
async def create(name: str, db: Database = Depends(get_db)) -> tuple[str, int]:
    return name, 201


async def views() -> None:
    # called directly (as in a test) with the injected parameter left out
    assert_type(show(1), dict[str, str])
    assert_type(await create("x"), tuple[str, int])
    show("1")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    show()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    await create("x", nme="y")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
