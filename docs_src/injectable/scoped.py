"""``injectable_scope()`` per unit of work: one container per event."""

import asyncio
from collections.abc import AsyncIterator

from fastapi_everywhere import FastAPIContainer

log: list[str] = []


class Connection:
    def __init__(self, name: str) -> None:
        self.name = name


async def get_connection() -> AsyncIterator[Connection]:
    conn = Connection(f"conn-{len(log)}")
    log.append(f"open {conn.name}")
    try:
        yield conn
    finally:
        log.append(f"close {conn.name}")


async def process_event(event: str) -> str:
    # fastapi-injectable: async with injectable_scope(): await async_get_injected_obj(...)
    async with FastAPIContainer() as container:
        conn = await container.get(get_connection)
        await asyncio.sleep(0)
        return f"{event} on {conn.name}"
    # only this event's connection is closed here


async def consume(events: list[str]) -> list[str]:
    return list(await asyncio.gather(*(process_event(e) for e in events)))


if __name__ == "__main__":
    print(asyncio.run(consume(["a", "b"])))
