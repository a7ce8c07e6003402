from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, object]]:
    print("lifespan: startup")
    notes = {"alice": ["buy milk", "call bob", "water the plants"], "bob": []}
    yield {"notes": notes}  # the lifespan state: request.state.notes
    print("lifespan: shutdown")


app = FastAPI(lifespan=lifespan)
