"""``@injectable`` becomes ``sync.with_fastapi_depends`` (or the async one)."""

from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import INJECTED, sync, with_fastapi_depends


class Database:
    def query(self) -> str:
        return "data"


def get_db() -> Database:
    return Database()


DbDep = Annotated[Database, Depends(get_db)]


# Sync code (scripts, CLI commands, Celery tasks): a plain sync callable.
@sync.with_fastapi_depends
def process_data(limit: int, db: DbDep = INJECTED) -> str:
    return f"{db.query()} (first {limit})"


# Async code: an async function, awaited on your own event loop.
@with_fastapi_depends
async def process_data_async(limit: int, db: DbDep = INJECTED) -> str:
    return f"{db.query()} (first {limit})"


# An async function called from sync code: no run_coroutine_sync() needed.
@sync.with_fastapi_depends
async def report(db: DbDep = INJECTED) -> str:
    return db.query().upper()


if __name__ == "__main__":
    print(process_data(10))  # data (first 10)
    print(report())  # DATA
