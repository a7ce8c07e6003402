import asyncio

from fastapi import Depends

from fastapi_everywhere import LoopThreadError, sync


async def slow() -> str:
    await asyncio.sleep(10)
    return "done"


@sync.with_fastapi_depends(timeout=0.2)
def impatient(*, value: str = Depends(slow)) -> str:
    return value


@sync.with_fastapi_depends
def nested() -> str:
    return "nested"


async def calls_the_sync_api() -> str:  # an async dependency: on the loop thread
    return nested()


@sync.with_fastapi_depends
def outer(*, value: str = Depends(calls_the_sync_api)) -> str:
    return value


if __name__ == "__main__":
    try:
        impatient()
    except sync.LoopTimeoutError:  # also a TimeoutError; the work was cancelled
        print("timed out")
    try:
        outer()
    except LoopThreadError:  # on the loop thread: an error, not a deadlock
        print("LoopThreadError")
