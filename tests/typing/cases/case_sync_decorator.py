"""fastapi_everywhere.sync.with_fastapi_depends: plain sync callables."""

from common import CurrentUser, Database, Report, User, get_db
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere.sync import INJECTED, with_fastapi_depends, with_scope


@with_fastapi_depends
async def report(day: str, *, user: CurrentUser = INJECTED) -> Report:
    return Report()


@with_fastapi_depends
def count(day: str, limit: int = 10, db: Database = Depends(get_db)) -> int:
    return limit


@with_fastapi_depends(timeout=5.0)
def configured(day: str, user: CurrentUser = INJECTED) -> list[str]:
    return [day]


# an async function becomes a sync callable returning its result
assert_type(report("2026-12-01"), Report)
assert_type(count("d"), int)
assert_type(count("d", 3), int)
assert_type(configured("d"), list[str])
report("d", user=User())
# wrong-typed, missing and unknown caller arguments
report(1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
count("d", "3")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
count()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
configured()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
count("d", limt=3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
# the options are checked
with_fastapi_depends(timeout="1")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
# the typed scope helper
assert_type(with_scope(count, {"path": "/x"})("d", 2), int)
with_scope(count, None)(day=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


class Repo:
    @with_fastapi_depends
    def names(self, prefix: str, db: Database = Depends(get_db)) -> list[str]:
        return [prefix]


assert_type(Repo().names("a"), list[str])
Repo().names()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
