import asyncio
import contextlib
import contextvars

from fastapi import Depends

from fastapi_everywhere import configure, with_fastapi_depends

log_context: contextvars.ContextVar[dict] = contextvars.ContextVar("log_context")


@contextlib.contextmanager
def bound(context):  # e.g. structlog.contextvars.bound_contextvars(**context)
    token = log_context.set({**log_context.get({}), **context})
    try:
        yield
    finally:
        log_context.reset(token)


def get_logger() -> dict:
    return log_context.get({})  # a dependency sees the bound context


configure(context_factory=bound)


@with_fastapi_depends(context={"job": "nightly"})
async def nightly(*, logger: dict = Depends(get_logger)) -> dict:
    return logger


if __name__ == "__main__":
    print(asyncio.run(nightly()))  # {'job': 'nightly'}
