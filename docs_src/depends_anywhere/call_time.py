"""No app needed; the app is read at each call; a value you pass wins."""

import asyncio
from typing import Annotated

from fastapi import Depends, FastAPI

from fastapi_everywhere import configure, with_fastapi_depends


def get_greeting() -> str:
    return "hello"


@with_fastapi_depends  # decorated before any configure(): fine here
async def greet(name: str, *, greeting: Annotated[str, Depends(get_greeting)]) -> str:
    return f"{greeting} {name}"


def main() -> list[str]:
    said = [asyncio.run(greet("ann"))]  # no app configured: runs
    said.append(asyncio.run(greet("bob", greeting="hi")))  # your value, not resolved
    app = FastAPI()
    app.dependency_overrides[get_greeting] = lambda: "hey"
    configure(app=app)  # seen by the next call of the function decorated above
    said.append(asyncio.run(greet("cy")))
    return said


if __name__ == "__main__":
    print(main())  # ['hello ann', 'hi bob', 'hey cy']
