import asyncio
from typing import Annotated

from fastapi import Depends, Query
from fastapi.security import OAuth2PasswordBearer

from fastapi_everywhere import FastAPIContainer, MissingParameterError, ParamSource

oauth2 = OAuth2PasswordBearer(tokenUrl="token")


def current_user(token: Annotated[str, Depends(oauth2)]) -> str:
    return {"s3cret": "ann"}[token]


def listing(
    user: Annotated[str, Depends(current_user)], page: Annotated[int, Query()]
) -> str:
    return f"page {page} for {user}"


async def main() -> None:
    container = FastAPIContainer(
        headers={"authorization": "Bearer s3cret"},  # reaches request.headers
        query=ParamSource({"page": "2"}),  # strings, coerced by FastAPI
    )
    async with container:
        print(await container.invoke(listing))  # page 2 for ann
    async with FastAPIContainer(headers={"authorization": "Bearer s3cret"}) as bare:
        try:
            await bare.invoke(listing)
        except MissingParameterError as exc:  # a RequestValidationError
            print(exc.errors()[0]["loc"])  # ('query', 'page')


if __name__ == "__main__":
    asyncio.run(main())
