import asyncio
import functools
import threading

from fastapi import Depends

from fastapi_everywhere import is_loop_safe, loop_safe, with_fastapi_depends


@loop_safe
@functools.lru_cache
def get_settings() -> str:  # cheap, never blocks: no I/O, no lock
    return threading.current_thread().name


def get_slow() -> str:  # unmarked: FastAPI's rule, a worker thread
    return threading.current_thread().name


@with_fastapi_depends
async def where(*, fast=Depends(get_settings), slow=Depends(get_slow)) -> tuple:
    return fast, slow


if __name__ == "__main__":
    print(is_loop_safe(get_settings), is_loop_safe(get_slow))  # True False
    print(asyncio.run(where()))  # ('MainThread', 'fastapi-everywhere-worker')
