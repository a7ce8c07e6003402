"""What a thread hop costs on this machine, against a call with none."""

import asyncio
import sys
import time

from fastapi import Depends

from fastapi_everywhere import loop_safe, with_fastapi_depends


def get_settings() -> int:  # plain sync: FastAPI's rule, a worker thread
    return 1


@loop_safe
def get_settings_inline() -> int:  # marked: called on the loop
    return 1


@with_fastapi_depends
async def with_hop(*, value: int = Depends(get_settings)) -> int:
    return value


@with_fastapi_depends
async def without_hop(*, value: int = Depends(get_settings_inline)) -> int:
    return value


async def per_call(make_call, calls: int) -> float:
    """Median microseconds per call over 5 rounds."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            await make_call()
        rounds.append((time.perf_counter() - start) / calls * 1e6)
    return sorted(rounds)[2]


async def main(calls: int) -> None:
    bare = await per_call(lambda: asyncio.to_thread(int), calls)
    hop = await per_call(with_hop, calls)
    inline = await per_call(without_hop, calls)
    print(f"asyncio.to_thread round trip: {bare:.0f} µs")
    print(f"one sync dependency, in a worker thread: {hop:.0f} µs per call")
    print(f"the same dependency, loop_safe: {inline:.0f} µs per call")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
