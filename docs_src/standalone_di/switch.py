"""fastapi-standalone-di code with only the import changed."""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header

from fastapi_everywhere import (
    DependencyScope,
    FastAPIContainer,
    ParamSource,
    RegistrableDependency,
)

# was: from fastapi_standalone_di import DependencyScope, FastAPIContainer, ...

log: list[str] = []


class Clock(ABC, RegistrableDependency):
    @abstractmethod
    def now(self) -> str: ...


class FixedClock(Clock):
    def now(self) -> str:
        return "2026-12-03"


async def get_db() -> AsyncIterator[str]:
    log.append("db opened")
    yield "db"
    log.append("db closed")


class Session:
    def __init__(self, db: Annotated[str, Depends(get_db)]) -> None:
        self.db = db
        log.append("session")


def current_user(x_user: Annotated[str, Header()]) -> str:
    return x_user


async def handle(
    session: Annotated[Session, Depends(Session)],
    clock: Annotated[Clock, Depends(Clock)],
    user: Annotated[str, Depends(current_user)],
) -> str:
    return f"{user} at {clock.now()} on {session.db}"


async def main() -> list[str]:
    Clock.register(FixedClock)
    container = FastAPIContainer(
        scopes={Session: DependencyScope.SCOPED},
        headers=ParamSource({"x-user": "ann"}),
    )
    said = []
    async with container:
        for _ in range(2):
            async with container.scope() as scope:
                said.append(await scope.invoke(handle))
    return said


if __name__ == "__main__":
    print(asyncio.run(main()))  # ['ann at 2026-12-03 on db', 'ann at 2026-12-03 on db']
    print(log)  # ['db opened', 'session', 'session', 'db closed']
