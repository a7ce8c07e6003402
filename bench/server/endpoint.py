"""The endpoint every system serves (bench/server), and its dependency graph.

``GET /items/<id>`` with an ``X-User`` header answers ``{"id": id, "user": name}``
after resolving, once per request:

    get_settings()       a process-wide singleton (lru_cache)
      -> get_db(settings)  a generator: opens a Connection, closes it afterwards
        -> Repo(db)
          -> current_user(x_user, repo)   the header, looked up through the repo

The pieces below are plain Python; each wiring (by hand, FastAPI's
``Depends``, this library, a peer) builds the same graph from them, so every
system does the same work per request. ``Connection`` counts opens and closes
per process: the harness reads them from ``/stats`` to check that every
request's teardown ran before it times anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Header

USER_HEADER = "X-User"
USER = "ann"
ITEM_ID = 7


class Settings:
    def __init__(self) -> None:
        self.dsn = "fake://bench"


@lru_cache
def get_settings() -> Settings:
    return Settings()


class Connection:
    """A stand-in for a database connection: cheap, and it counts."""

    opens = 0
    closes = 0

    def __init__(self, dsn: str) -> None:
        Connection.opens += 1
        self.dsn = dsn
        self.closed = False

    def close(self) -> None:
        self.closed = True
        Connection.closes += 1


def open_db(settings: Settings) -> Iterator[Connection]:
    """The per-request connection, closed at teardown (the plain generator)."""
    conn = Connection(settings.dsn)
    try:
        yield conn
    finally:
        conn.close()


class User:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Repo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    def user(self, name: str) -> User:
        if self.db.closed:
            raise RuntimeError("connection used after teardown")
        return User(name)


def body(item_id: int, user: User) -> dict[str, object]:
    return {"id": item_id, "user": user.name}


def stats() -> dict[str, int]:
    return {"opens": Connection.opens, "closes": Connection.closes}


def stats_json() -> str:
    return json.dumps(stats())


# -- the same graph in FastAPI's vocabulary (FastAPI routes and this library) --


def get_db(
    settings: Annotated[Settings, Depends(get_settings)],
) -> Iterator[Connection]:
    conn = Connection(settings.dsn)
    try:
        yield conn
    finally:
        conn.close()


def get_repo(db: Annotated[Connection, Depends(get_db)]) -> Repo:
    return Repo(db)


def current_user(
    x_user: Annotated[str, Header()], repo: Annotated[Repo, Depends(get_repo)]
) -> User:
    return repo.user(x_user)


CurrentUser = Annotated[User, Depends(current_user)]


# -- by hand --------------------------------------------------------------------


def user_by_hand(header: str | None) -> tuple[User, Iterator[Connection]]:
    """Resolve the graph by hand; the caller closes the returned generator."""
    gen = open_db(get_settings())
    repo = Repo(next(gen))
    try:
        if header is None:
            raise LookupError(USER_HEADER)
        return repo.user(header), gen
    except BaseException:
        gen.close()
        raise
