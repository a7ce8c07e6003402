"""The dependencies your FastAPI routes already use (the workers reuse them).

``LOG`` and the notes list stand in for a database, so the examples can show
what happened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

LOG: list[str] = []
TOKENS = {"alice-token": "alice", "bob-token": "bob"}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    LOG.append("lifespan startup")
    yield {"notes": []}  # the state: request.state.notes
    LOG.append("lifespan shutdown")


app = FastAPI(lifespan=lifespan)


class Session:
    """A unit of work: the notes added are saved when it commits."""

    def __init__(self, notes: list[tuple[str, str]]) -> None:
        self.notes = notes
        self.pending: list[tuple[str, str]] = []

    def add(self, author: str, text: str) -> int:
        self.pending.append((author, text))
        return len(self.notes) + len(self.pending)


def get_session(request: Request) -> Iterator[Session]:
    session = Session(request.state.notes)
    try:
        yield session
    except Exception as exc:  # the task's error is thrown in here
        LOG.append(f"rollback ({type(exc).__name__})")
        raise
    else:
        session.notes.extend(session.pending)
        LOG.append("commit")


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(HTTPBearer())],
) -> str:
    user = TOKENS.get(credentials.credentials)
    if user is None:
        raise HTTPException(
            401, "Unknown token", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


Db = Annotated[Session, Depends(get_session)]
CurrentUser = Annotated[str, Depends(current_user)]
