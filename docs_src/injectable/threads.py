"""No loop strategy to choose: sync steps on your thread, async ones on one loop thread."""

import threading
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import INJECTED, sync


def sync_step() -> int:
    return threading.get_ident()


async def async_step() -> int:
    return threading.get_ident()


@sync.with_fastapi_depends
def where(
    sync_thread: Annotated[int, Depends(sync_step)] = INJECTED,
    loop_thread: Annotated[int, Depends(async_step)] = INJECTED,
) -> tuple[int, int]:
    return sync_thread, loop_thread


if __name__ == "__main__":
    sync_thread, loop_thread = where()
    assert sync_thread == threading.get_ident()  # the calling thread
    assert loop_thread != threading.get_ident()  # the shared event-loop thread
