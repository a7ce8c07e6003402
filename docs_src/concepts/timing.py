import asyncio

from fastapi import BackgroundTasks, Depends

from fastapi_everywhere import with_fastapi_depends

events: list[str] = []


def request_scoped():  # Depends(...) is scope="request" by default
    yield "request"
    events.append("request-scoped teardown")


def function_scoped():
    yield "function"
    events.append("function-scoped teardown")


@with_fastapi_depends
async def send_invoice(
    tasks: BackgroundTasks,
    *,
    a=Depends(request_scoped),
    b=Depends(function_scoped, scope="function"),  # FastAPI >= 0.121
) -> None:
    tasks.add_task(events.append, "background task")
    events.append("call")


if __name__ == "__main__":
    asyncio.run(send_invoice())
    print(events)
    # ['call', 'function-scoped teardown', 'background task', 'request-scoped teardown']
