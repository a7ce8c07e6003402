"""fastapi_everywhere.with_fastapi_depends: kept parameters, typed results."""

from collections.abc import Coroutine
from typing import Any

from common import CurrentUser, Database, Report, User, get_db, get_user
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere import INJECTED, with_fastapi_depends, with_scope


@with_fastapi_depends
async def report(day: str, *, user: CurrentUser = INJECTED) -> Report:
    return Report()


@with_fastapi_depends
def sync_report(day: str, user: User = Depends(get_user)) -> Report:
    return Report()


@with_fastapi_depends(scope={"path": "/reports"})
async def configured(day: str, db: Database = Depends(get_db)) -> int:
    return 1


async def main() -> None:
    # result types: an async wrapper of an async or a sync function
    assert_type(await report("2026-12-01"), Report)
    pending = assert_type(sync_report("d"), Coroutine[Any, Any, Report])
    await pending
    assert_type(await sync_report("2026-12-01"), Report)
    assert_type(await configured("2026-12-01"), int)
    # the injected parameter may be left out, or passed (the caller's wins)
    await report("d", user=User())
    await configured(day="d")
    # wrong-typed caller argument
    await report(1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await sync_report(b"d")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # missing caller argument
    await report()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    await configured()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    # unknown keyword
    await report("d", usr=User())  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    # an injected parameter of the wrong type is still checked
    await report("d", user="ada")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # the typed scope helper keeps the signature
    scoped = with_scope(report, {"headers": [(b"x-user", b"ada")]})
    assert_type(await scoped("d"), Report)
    await scoped(2)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # the decorator's own options are checked
    with_fastapi_depends(scope=1)  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]


class Service:
    @with_fastapi_depends
    async def total(self, day: str, user: CurrentUser = INJECTED) -> int:
        return 0


async def methods(service: Service) -> None:
    assert_type(await service.total("d"), int)
    await service.total()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    await service.total(3)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert_type(await with_scope(service.total, None)("d"), int)
