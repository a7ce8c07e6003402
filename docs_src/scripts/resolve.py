import asyncio
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import resolve_fastapi_depends


async def get_session():
    yield "session"
    print("session closed")


def handler(order_id: int, session: Annotated[str, Depends(get_session)]) -> str:
    return f"order {order_id} in {session}"


async def main() -> None:
    async with resolve_fastapi_depends(handler) as kwargs:
        print(sorted(kwargs))  # ['session']: only what FastAPI would inject
        print(handler(7, **kwargs))  # order 7 in session
    # session closed


if __name__ == "__main__":
    asyncio.run(main())
