import asyncio
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI

from fastapi_everywhere import FastApiDepsStack


@asynccontextmanager
async def lifespan(app: FastAPI):
    print("startup")
    yield
    print("shutdown")


app = FastAPI(lifespan=lifespan)


async def get_client():
    print("open client")
    yield "client"
    print("close client")


Client = Annotated[str, Depends(get_client)]


async def main() -> None:
    # In a notebook: one cell per line, with top-level await.
    stack = FastApiDepsStack(app)
    await stack.start()  # startup (once)
    client = await stack.resolve(Client)  # open client; typed as str
    print(client, await stack.resolve(Client) is client)  # client True: cached
    await stack.close()  # close client, then shutdown


if __name__ == "__main__":
    asyncio.run(main())
