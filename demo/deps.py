"""The shared service layer: plain FastAPI dependencies, no web framework.

Nothing here knows who calls it. A FastAPI route, a script, a queue worker
(and later a Django view or a Flask route) all get the same objects through
``Depends``: settings -> a SQLite connection with a transaction per call ->
a repository -> the user named by the ``Authorization: Bearer`` header.

No ``from __future__ import annotations`` here: older FastAPI (0.115)
cannot resolve string annotations on a class dependency's ``__init__``.
"""

import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

log = logging.getLogger("demo")

DB_PATH_ENV = "FASTAPI_EVERYWHERE_DEMO_DB"

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    author TEXT NOT NULL REFERENCES users(name),
    text TEXT NOT NULL
);
"""

# Demo users and their bearer tokens.
USERS = {"alice": "alice-token", "bob": "bob-token"}


@dataclass(frozen=True)
class Settings:
    db_path: str


def get_settings() -> Settings:
    """Application settings, read from the environment."""
    return Settings(db_path=os.environ.get(DB_PATH_ENV, "demo.db"))


def init_db(settings: Settings) -> None:
    """Create the schema and the demo users (idempotent)."""
    with sqlite3.connect(settings.db_path) as conn:
        conn.executescript(SCHEMA)
        conn.executemany(
            "INSERT OR IGNORE INTO users (name, token) VALUES (?, ?)",
            USERS.items(),
        )
    conn.close()


def get_db(
    settings: Annotated[Settings, Depends(get_settings)],
) -> Iterator[sqlite3.Connection]:
    """One connection and one transaction per request, job or call.

    Commits when the caller succeeded; the caller's exception is thrown in
    here at teardown, so a failure rolls the transaction back.
    """
    # FastAPI may run setup and teardown of a sync dependency on different
    # worker threads.
    conn = sqlite3.connect(settings.db_path, check_same_thread=False)
    log.info("db: open %s", os.path.basename(settings.db_path))
    try:
        yield conn
    except BaseException as exc:
        conn.rollback()
        log.info("db: rollback (%s: %s)", type(exc).__name__, exc)
        raise
    else:
        conn.commit()
        log.info("db: commit")
    finally:
        conn.close()


DB = Annotated[sqlite3.Connection, Depends(get_db)]


@dataclass(frozen=True)
class User:
    name: str


@dataclass(frozen=True)
class Note:
    id: int
    author: str
    text: str


class NoteRepository:
    """Data access for notes and users, on the current transaction."""

    def __init__(self, db: DB) -> None:
        self.db = db

    def user_for_token(self, token: str) -> User | None:
        row = self.db.execute(
            "SELECT name FROM users WHERE token = ?", (token,)
        ).fetchone()
        return User(name=row[0]) if row else None

    def add(self, author: User, text: str) -> Note:
        cursor = self.db.execute(
            "INSERT INTO notes (author, text) VALUES (?, ?)", (author.name, text)
        )
        assert cursor.lastrowid is not None
        return Note(id=cursor.lastrowid, author=author.name, text=text)

    def list_for(self, author: User) -> list[Note]:
        rows = self.db.execute(
            "SELECT id, author, text FROM notes WHERE author = ? ORDER BY id",
            (author.name,),
        ).fetchall()
        return [Note(*row) for row in rows]


Repo = Annotated[NoteRepository, Depends()]

bearer = HTTPBearer(description="A demo user's token, e.g. `alice-token`")


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
    repo: Repo,
) -> User:
    """The user owning the bearer token of the request (401 if unknown)."""
    user = repo.user_for_token(credentials.credentials)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Unknown token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    log.info("auth: %s", user.name)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


@dataclass(frozen=True)
class Page:
    """Which slice of a list to return: ``?offset=&limit=`` (validated)."""

    offset: int
    limit: int

    def slice(self, items: list[Note]) -> list[Note]:
        return items[self.offset : self.offset + self.limit]


def get_page(
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page:
    """Pagination from the query string; bad values are a 422, as in FastAPI."""
    return Page(offset=offset, limit=limit)


Pagination = Annotated[Page, Depends(get_page)]


def bearer_headers(token: str) -> dict[str, str]:
    """Request headers carrying ``token``, for callers outside a request."""
    return {"Authorization": f"Bearer {token}"}
