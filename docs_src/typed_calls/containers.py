from collections.abc import Iterator

from fastapi import Depends, FastAPI
from typing_extensions import assert_type

from docs_src.typed_calls.deps import User, get_user
from fastapi_everywhere.sync import FastAPIContainer, FastApiDepsStack


def connection() -> Iterator[str]:
    yield "conn"


def summary(prefix: str, user: User = Depends(get_user)) -> str:
    return f"{prefix} {user.name}"


def use() -> tuple[User, str, str]:
    with FastAPIContainer() as container:
        user = assert_type(container.get(get_user), User)  # a function: its result
        conn = assert_type(container.get(connection), str)  # a generator: its value
        text = assert_type(container.invoke(summary, "for"), str)  # summary's result
    with FastApiDepsStack(FastAPI()) as stack:
        assert_type(stack.resolve(get_user), User)
    return user, conn, text
