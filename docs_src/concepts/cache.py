import asyncio
import itertools

from fastapi import Depends

from fastapi_everywhere import with_fastapi_depends

counter = itertools.count(1)


def get_id() -> int:
    return next(counter)


def first(id_: int = Depends(get_id)) -> int:
    return id_


def second(id_: int = Depends(get_id)) -> int:
    return id_


def fresh(id_: int = Depends(get_id, use_cache=False)) -> int:
    return id_


@with_fastapi_depends
async def job(*, a=Depends(first), b=Depends(second), c=Depends(fresh)) -> tuple:
    return a, b, c


async def main() -> None:
    print(await job())  # (1, 1, 2): one cache per call, use_cache=False rebuilt
    print(await job())  # (3, 3, 4): the next call is a new "request"


if __name__ == "__main__":
    asyncio.run(main())
