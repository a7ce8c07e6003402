"""``get_injected_obj``: a container keeps what it resolved until it closes."""

import functools
from collections.abc import Iterator

from fastapi_everywhere import sync

log: list[str] = []


class Pool:
    def __init__(self, size: int) -> None:
        self.size = size
        self.closed = False


def get_pool(size: int = 4) -> Iterator[Pool]:
    pool = Pool(size)
    log.append(f"pool {size} opened")
    yield pool
    pool.closed = True
    log.append(f"pool {size} closed")


def main() -> tuple[Pool, Pool]:
    with sync.FastAPIContainer() as container:
        pool = container.get(get_pool)
        assert container.get(get_pool) is pool  # cached for the container's life
        # get_injected_obj(get_pool, kwargs={"size": 8}):
        big = container.get(functools.partial(get_pool, size=8))
        assert not pool.closed and not big.closed
    # Leaving the block tore both down, newest first.
    return pool, big


if __name__ == "__main__":
    main()
    print(log)  # ['pool 4 opened', 'pool 8 opened', 'pool 8 closed', 'pool 4 closed']
