import multiprocessing
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from fastapi_everywhere import sync


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield {"pid": os.getpid()}  # e.g. a connection pool: never share one across a fork


app = FastAPI(lifespan=lifespan)
stack = sync.FastApiDepsStack(app)


def lifespan_pid(request: Request) -> int:
    return request.state.pid


def job(n: int) -> bool:
    # In a forked child the stack starts a lifespan (and a loop thread) of its own.
    return stack.resolve(lifespan_pid) == os.getpid()


if __name__ == "__main__":
    with stack:
        print(stack.resolve(lifespan_pid) == os.getpid())  # True
        with multiprocessing.get_context("fork").Pool(2) as pool:
            print(pool.map(job, range(4)))  # [True, True, True, True]
