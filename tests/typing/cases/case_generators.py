"""Generator wrappers: item types kept, caller arguments checked."""

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import Any

from common import CurrentUser, Database, get_db
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere import INJECTED, aiter_with_fastapi_depends, with_scope
from fastapi_everywhere.sync import iter_with_fastapi_depends


@aiter_with_fastapi_depends
async def stream(n: int, user: CurrentUser = INJECTED) -> AsyncIterator[str]:
    yield str(n)


@aiter_with_fastapi_depends()
async def configured(n: int, db: Database = Depends(get_db)) -> AsyncIterator[bytes]:
    yield b""


@iter_with_fastapi_depends
def rows(table: str, db: Database = Depends(get_db)) -> Iterator[tuple[int, str]]:
    yield (1, table)


@iter_with_fastapi_depends(timeout=2.0)
async def arows(limit: int, user: CurrentUser = INJECTED) -> AsyncIterator[float]:
    yield 1.0


async def consume() -> None:
    assert_type(stream(3), AsyncGenerator[str, Any])
    async for item in stream(3):
        assert_type(item, str)
    async for chunk in configured(1):
        assert_type(chunk, bytes)
    async for scoped in with_scope(stream, None)(1):
        assert_type(scoped, str)
    stream("3")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    stream()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    configured(1, dbb=None)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


assert_type(rows("t"), Generator[tuple[int, str], Any, Any])
for row in rows("t"):
    assert_type(row, tuple[int, str])
# an async generator becomes a plain generator of the same items
for value in arows(3):
    assert_type(value, float)
rows(1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
arows()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
rows("t", tabel="x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
