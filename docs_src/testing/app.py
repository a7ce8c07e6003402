"""The app under test: a lifespan, a settings dependency, a session, a user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    yield {"greeting": "hello", "sessions": []}  # request.state


app = FastAPI(lifespan=lifespan)


def get_settings(request: Request) -> dict[str, str]:
    return {"greeting": request.state.greeting}


def get_session(request: Request) -> Iterator[list[str]]:
    session: list[str] = []
    request.state.sessions.append(session)
    yield session
    session.append("closed")


async def get_user(settings: Annotated[dict[str, str], Depends(get_settings)]) -> str:
    return f"{settings['greeting']} alice"


Settings = Annotated[dict[str, str], Depends(get_settings)]
Session = Annotated[list[str], Depends(get_session)]
User = Annotated[str, Depends(get_user)]


@app.get("/me")
async def me(user: User) -> dict[str, str]:
    return {"user": user}
