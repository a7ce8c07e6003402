"""Celery task integration: the task function keeps its signature."""

from common import CurrentUser, Database, get_db
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere import INJECTED
from fastapi_everywhere.celery import aresolve, resolve, with_fastapi_depends


@with_fastapi_depends
def send_report(day: str, user: CurrentUser = INJECTED) -> int:
    return 0


@with_fastapi_depends()
def cleanup(limit: int, db: Database = Depends(get_db)) -> list[str]:
    return []


assert_type(send_report("d"), int)
assert_type(cleanup(10), list[str])
send_report(1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
cleanup()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
send_report("d", usr=None)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


@with_fastapi_depends
def uses_resolve() -> None:
    # A class resolves to its instance; anything else to Any.
    assert_type(resolve(Database), Database)


@with_fastapi_depends
async def uses_aresolve() -> None:
    assert_type(await aresolve(Database), Database)
    await aresolve()  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
