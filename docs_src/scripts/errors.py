import asyncio
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from fastapi.exceptions import RequestValidationError

from fastapi_everywhere import (
    MissingParameterError,
    ParameterValidationError,
    with_fastapi_depends,
)


def current_user(x_user: Annotated[str, Header(max_length=8)]) -> str:
    if x_user == "mallory":
        raise HTTPException(status_code=403, detail="Forbidden")
    return x_user


@with_fastapi_depends
async def whoami(*, user: Annotated[str, Depends(current_user)]) -> str:
    return user


async def main() -> None:
    try:
        await whoami()  # no header at all
    except MissingParameterError as exc:  # also a RequestValidationError
        print(isinstance(exc, RequestValidationError), exc.errors()[0]["type"])
    try:
        await whoami(_scope={"headers": {"x-user": "much-too-long"}})
    except ParameterValidationError as exc:  # FastAPI's own errors()
        print(exc.errors()[0]["type"])  # string_too_long
    try:
        await whoami(_scope={"headers": {"x-user": "mallory"}})
    except HTTPException as exc:  # propagates unchanged
        print(exc.status_code, exc.detail)  # 403 Forbidden


if __name__ == "__main__":
    asyncio.run(main())
