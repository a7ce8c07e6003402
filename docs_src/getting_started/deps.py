"""The service layer: plain FastAPI dependencies that import no web framework."""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException


@dataclass
class Settings:
    greeting: str = "Hello"
    database: str = ":memory:"


def get_settings() -> Settings:
    return Settings()


def get_db(
    settings: Annotated[Settings, Depends(get_settings)],
) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(settings.database, check_same_thread=False)
    db.execute("CREATE TABLE users (token TEXT, name TEXT)")
    db.execute("INSERT INTO users VALUES ('ann-token', 'Ann'), ('bob-token', 'Bob')")
    try:
        yield db  # the caller runs here...
    finally:
        db.close()  # ...and the connection is closed after it


def current_user(
    x_token: Annotated[str, Header()],
    db: Annotated[sqlite3.Connection, Depends(get_db)],
) -> str:
    row = db.execute("SELECT name FROM users WHERE token = ?", (x_token,)).fetchone()
    if row is None:
        raise HTTPException(status_code=401, detail="Unknown token")
    return row[0]


SettingsDep = Annotated[Settings, Depends(get_settings)]
CurrentUser = Annotated[str, Depends(current_user)]
