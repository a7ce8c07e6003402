import asyncio
from typing import Annotated

from fastapi import Header, Query, Request

from fastapi_everywhere import with_fastapi_depends


@with_fastapi_depends(scope={"method": "POST", "path": "/reports"})  # static
async def report(
    request: Request,
    *,
    page: Annotated[int, Query(ge=1)] = 1,
    user_agent: Annotated[str, Header()] = "unknown",
) -> str:
    return f"{request.method} {request.url.path}?page={page} by {user_agent}"


async def main() -> None:
    print(await report())  # POST /reports?page=1 by unknown
    call = {"query_string": "page=3", "headers": {"user-agent": "cron"}}
    print(await report(_scope=call))  # POST /reports?page=3 by cron


if __name__ == "__main__":
    asyncio.run(main())
