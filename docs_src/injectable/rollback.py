"""The body's exception reaches the ``yield`` of its dependencies, as in FastAPI."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import INJECTED, sync

log: list[str] = []


class Session:
    def add(self, amount: int) -> None:
        log.append(f"add {amount}")


def get_session() -> Iterator[Session]:
    try:
        yield Session()
    except ValueError:
        log.append("rollback")
        raise
    else:
        log.append("commit")
    finally:
        log.append("close")


@sync.with_fastapi_depends
def transfer(
    amount: int, session: Annotated[Session, Depends(get_session)] = INJECTED
) -> None:
    if amount < 0:
        raise ValueError("negative amount")
    session.add(amount)


if __name__ == "__main__":
    transfer(5)
    try:
        transfer(-1)
    except ValueError as e:
        print(e)  # negative amount
    print(log)  # ['add 5', 'commit', 'close', 'rollback', 'close']
