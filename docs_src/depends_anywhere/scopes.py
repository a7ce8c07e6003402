"""A call-time ``_scope=`` is merged over the decorator's ``scope=``."""

import asyncio
from typing import Annotated

from fastapi import Depends, Header, Request

from fastapi_everywhere import with_fastapi_depends


def where(request: Request, x_tenant: Annotated[str, Header()]) -> str:
    return f"{request.method} {request.url.path} for {x_tenant}"


@with_fastapi_depends(scope={"method": "POST", "path": "/jobs/nightly"})
async def nightly_job(*, origin: Annotated[str, Depends(where)]) -> str:
    return origin


def main() -> str:
    # Headers as a plain dict; method and path stay the decorator's.
    return asyncio.run(nightly_job(_scope={"headers": {"x-tenant": "acme"}}))


if __name__ == "__main__":
    print(main())  # POST /jobs/nightly for acme
