"""FastAPIContainer (async and sync) and ResolvedDependencies: typed by the key."""

from common import (
    CurrentUser,
    Database,
    Report,
    User,
    aget_db,
    get_db,
    get_report,
    get_user,
)
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere import INJECTED, FastAPIContainer, sync


async def handler(day: str, user: CurrentUser = INJECTED) -> Report:
    return Report()


def sync_handler(day: str, db: Database = Depends(get_db)) -> int:
    return 0


async def async_container(container: FastAPIContainer) -> None:
    # get: a class, an async generator, a generator, a coroutine function,
    # a plain callable
    assert_type(await container.get(Database), Database)
    assert_type(await container.get(aget_db), Database)
    assert_type(await container.get(get_db), Database)
    assert_type(await container.get(get_user), User)
    assert_type(await container.get(get_report), Report)
    # invoke: the result, caller arguments checked
    assert_type(await container.invoke(handler, "d"), Report)
    assert_type(await container.invoke(sync_handler, day="d"), int)
    await container.invoke(handler, 1)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue, reportArgumentType]
    await container.invoke(handler)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
    await container.invoke(handler, "d", usr=None)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    # resolve(...).get / optional, typed by the key
    resolved = await container.resolve(get_user, get_db)
    assert_type(resolved.get(get_user), User)
    assert_type(resolved.get(get_db, transitive=True), Database)
    assert_type(resolved.optional(get_report), Report | None)
    every = await container.invoke_resolved(handler, "d")
    assert_type(every.get(handler), Report)
    await container.invoke_resolved(handler, 2)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    async with container.scope() as scope:
        assert_type(await scope.get(get_user), User)
        assert_type(await scope.invoke(handler, "d"), Report)


def sync_container(container: sync.FastAPIContainer) -> None:
    assert_type(container.get(Database), Database)
    assert_type(container.get(aget_db), Database)
    assert_type(container.get(get_user), User)
    # an async function invoked from sync code returns its value
    assert_type(container.invoke(handler, "d"), Report)
    assert_type(container.invoke(sync_handler, "d"), int)
    container.invoke(handler)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
    container.invoke(sync_handler, day=3)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue, reportArgumentType]
    assert_type(container.resolve(get_db).get(get_db), Database)
    with container.scope() as scope:
        assert_type(scope.get(get_report), Report)
        assert_type(scope.invoke(handler, "d"), Report)
