"""The lifespan's state is ``request.state``; background tasks run after the call."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, Request

from fastapi_everywhere import sync


class Mailer:
    def __init__(self) -> None:
        self.sent: list[str] = []


mailers: list[Mailer] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Mailer]]:
    mailer = Mailer()
    mailers.append(mailer)
    yield {"mailer": mailer}


app = FastAPI(lifespan=lifespan)


def get_mailer(request: Request) -> Mailer:
    return request.state.mailer


@sync.runnify_with_fastapi_depends(app=app)  # no extra package needed
def send_report(
    to: str,
    *,
    mailer: Annotated[Mailer, Depends(get_mailer)],
    tasks: BackgroundTasks,
) -> str:
    tasks.add_task(mailer.sent.append, f"report to {to}")
    return "queued"


if __name__ == "__main__":
    print(send_report("ops"))  # queued
    print(mailers[0].sent)  # ['report to ops']
