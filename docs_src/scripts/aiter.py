import asyncio
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import aiter_with_fastapi_depends

events: list[str] = []


async def get_cursor():
    events.append("open cursor")
    yield iter(range(100))
    events.append("close cursor")


@aiter_with_fastapi_depends
async def rows(limit: int, *, cursor: Annotated[object, Depends(get_cursor)]):
    for row in cursor:
        if row >= limit:
            return
        yield row


async def main() -> None:
    print([row async for row in rows(3)])  # [0, 1, 2]
    stream = rows(10)
    print(await anext(stream), await anext(stream))  # 0 1: the cursor is open
    await stream.aclose()  # stop early: the cursor is closed all the same
    print(events)  # ['open cursor', 'close cursor', 'open cursor', 'close cursor']


if __name__ == "__main__":
    asyncio.run(main())
