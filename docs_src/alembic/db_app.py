"""The app whose lifespan owns the database engine, and its connection dependency."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Connection, Engine, create_engine, event


def transactional_sqlite(engine: Engine) -> Engine:
    """Let SQLite roll DDL back (SQLAlchemy's recipe for the sqlite3 driver).

    The driver only opens a transaction before INSERT/UPDATE/DELETE, so a
    ``CREATE TABLE`` would survive a failed migration; emitting ``BEGIN``
    ourselves puts the DDL in the transaction too.
    """

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, record: Any) -> None:
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
    try:
        yield {"engine": engine}
    finally:
        engine.dispose()


app = FastAPI(lifespan=lifespan)


def get_connection(request: Request) -> Iterator[Connection]:
    """One connection in one transaction: committed on success, else rolled back."""
    with request.state.engine.begin() as connection:
        yield connection


DbConnection = Annotated[Connection, Depends(get_connection)]
