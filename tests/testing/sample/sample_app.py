"""The app of the sample project the plugin test runs pytest on."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request

LOG = os.environ["SAMPLE_LOG"]


def log(line: str) -> None:
    with open(LOG, "a") as f:
        f.write(line + "\n")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    log("startup")
    async with httpx.AsyncClient() as client:  # an anyio resource owned by the lifespan
        yield {"client": client, "greeting": "hello"}
    log("shutdown")


app = FastAPI(lifespan=lifespan)


def get_settings(request: Request) -> dict[str, str]:
    return {"greeting": request.state.greeting}


def get_session() -> Iterator[list[str]]:
    session: list[str] = []
    log("session-open")
    yield session
    log("session-close")


async def get_user(settings: Annotated[dict[str, str], Depends(get_settings)]) -> str:
    return f"{settings['greeting']} alice"


Settings = Annotated[dict[str, str], Depends(get_settings)]
Session = Annotated[list[str], Depends(get_session)]
User = Annotated[str, Depends(get_user)]


@app.get("/user")
async def read_user(user: User) -> dict[str, str]:
    return {"user": user}
