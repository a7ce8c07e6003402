"""Each call is one FastAPI request: fresh instances, teardown when it returns."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import INJECTED, sync

events: list[str] = []


class Connection:
    def __init__(self) -> None:
        self.open = True


def get_connection() -> Iterator[Connection]:
    conn = Connection()
    events.append("opened")
    try:
        yield conn
    finally:
        conn.open = False
        events.append("closed")


@sync.with_fastapi_depends
def handle(
    message: str, conn: Annotated[Connection, Depends(get_connection)] = INJECTED
) -> Connection:
    assert conn.open
    return conn


def process(messages: list[str]) -> list[Connection]:
    # A worker loop: nothing to clean up or clear between messages.
    return [handle(message) for message in messages]


if __name__ == "__main__":
    process(["msg-1", "msg-2"])
    print(events)  # ['opened', 'closed', 'opened', 'closed']
