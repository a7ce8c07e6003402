import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fastapi_everywhere import LifespanError, configure, with_fastapi_lifecycle


@asynccontextmanager
async def lifespan(app: FastAPI):
    await asyncio.Event().wait()  # a start-up that never reaches its yield
    yield


app = FastAPI(lifespan=lifespan)
configure(app=app, lifespan_timeout=0.5)  # default: 60 seconds


@with_fastapi_lifecycle
async def main() -> None:
    print("never printed")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except LifespanError as exc:
        print(exc)  # after half a second
