"""FastApiDepsStack and resolve_fastapi_depends of both vocabularies."""

from typing import Any

from common import Database, User, aget_db, get_db, get_user
from typing_extensions import assert_type

from fastapi_everywhere import FastApiDepsStack, resolve_fastapi_depends, sync


async def async_stack() -> None:
    async with FastApiDepsStack() as stack:
        assert_type(await stack.resolve(User), User)
        assert_type(await stack.resolve(get_user), User)
        assert_type(await stack.resolve(aget_db), Database)
    async with resolve_fastapi_depends(get_user) as values:
        assert_type(values, dict[str, Any])


def sync_stack() -> None:
    with sync.FastApiDepsStack(timeout=1.0) as stack:
        assert_type(stack.resolve(Database), Database)
        assert_type(stack.resolve(get_db), Database)
    with sync.resolve_fastapi_depends(get_user) as values:
        assert_type(values, dict[str, Any])
    sync.FastApiDepsStack(timeout="1")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
