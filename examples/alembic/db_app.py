"""The app whose lifespan owns the database engine, and its connection dependency.

The same ``get_connection`` a FastAPI route would use gives Alembic its
connection: migrations run against the engine the app configures, inside the
app's lifespan (start-up hooks, settings, secrets) and in one transaction that
commits when they succeed and rolls back when one fails.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Connection, Engine, create_engine, event


def transactional_sqlite(engine: Engine) -> Engine:
    """Let SQLite roll DDL back: SQLAlchemy's recipe for pysqlite.

    pysqlite opens a transaction only before DML, so a failed ``CREATE
    TABLE`` would stay; emitting ``BEGIN`` ourselves makes a migration atomic.
    """

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    engine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///app.db"))
    if engine.dialect.name == "sqlite":
        transactional_sqlite(engine)
    print("lifespan: startup", file=sys.stderr)
    try:
        yield {"engine": engine}
    finally:
        engine.dispose()
        print("lifespan: shutdown", file=sys.stderr)


app = FastAPI(lifespan=lifespan)


def get_connection(request: Request) -> Iterator[Connection]:
    """One connection in one transaction: committed on success, else rolled back."""
    with request.state.engine.begin() as connection:
        yield connection
    print("connection: committed", file=sys.stderr)


DbConnection = Annotated[Connection, Depends(get_connection)]
