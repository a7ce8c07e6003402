"""Dependencies the typing cases share (never run: read by mypy and pyright)."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends


class User:
    name: str = "ada"


class Database:
    url: str = "sqlite://"


class Report:
    rows: int = 0


async def get_user() -> User:
    return User()


def get_db() -> Iterator[Database]:
    yield Database()


async def aget_db() -> AsyncIterator[Database]:
    yield Database()


def get_report() -> Report:
    return Report()


CurrentUser = Annotated[User, Depends(get_user)]
Db = Annotated[Database, Depends(get_db)]
