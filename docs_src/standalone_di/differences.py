"""Where a fastapi-standalone-di user may need a one-line change."""

from abc import ABC, abstractmethod
from typing import Annotated

from fastapi import Depends, Query, Request

from fastapi_everywhere import FastAPIContainer, RegistrableDependency, sync


def one() -> int:
    return 1


# A parameter without a FastAPI marker is the caller's argument...
def add(x: int, y: Annotated[int, Depends(one)]) -> int:
    return x + y


# ...mark it to read it from the query string.
def add_from_query(x: Annotated[int, Query()], y: Annotated[int, Depends(one)]) -> int:
    return x + y


def method(request: Request) -> str:
    return request.method  # every resolution has a Request, as in FastAPI


class Notifier(ABC, RegistrableDependency):
    @abstractmethod
    def send(self, text: str) -> str: ...


class EmailNotifier(Notifier):  # register() wants a subclass of the interface
    def send(self, text: str) -> str:
        return f"mail: {text}"


def main() -> tuple[int, int, str, str]:
    Notifier.register(EmailNotifier)
    with sync.FastAPIContainer(query={"x": "5"}) as container:  # the sync twin
        return (
            container.invoke(add, 3),
            container.invoke(add_from_query),
            container.get(method),
            container.get(Notifier).send("hi"),
        )


async def main_async() -> int:
    async with FastAPIContainer() as container:
        return await container.invoke(add, 3)


if __name__ == "__main__":
    print(main())  # (4, 6, 'GET', 'mail: hi')
