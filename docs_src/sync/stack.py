from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import sync


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield {"pool": "pool"}


app = FastAPI(lifespan=lifespan)


async def get_connection(request: Request):
    yield f"connection from the {request.state.pool}"
    print("connection returned")


Connection = Annotated[str, Depends(get_connection)]

if __name__ == "__main__":
    with sync.FastApiDepsStack(app) as stack:  # the lifespan starts here
        print(stack.resolve(Connection))  # connection from the pool
    # connection returned (then the lifespan shuts down)
