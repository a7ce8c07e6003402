import asyncio

from fastapi import Depends, Request

from fastapi_everywhere import (
    AppState,
    FastAPIContainer,
    get_app_state,
    set_app_state_value,
)


async def handler(request: Request) -> dict:  # written for a FastAPI route
    return {"db": request.app.state.db, "limit": request.query_params.get("limit")}


def get_db(state: AppState = Depends(get_app_state)) -> str:
    return state.get("db")


async def main() -> None:
    set_app_state_value("db", "the-db")  # no app configured: the process store
    async with FastAPIContainer(query={"limit": "10"}) as container:
        print(await container.invoke(handler))  # {'db': 'the-db', 'limit': '10'}
        print(await container.get(get_db))  # the-db

    own = AppState()  # a state of the container's own
    own.set("db", "test-db")
    async with FastAPIContainer(app_state=own) as container:
        print(await container.get(get_db))  # test-db


if __name__ == "__main__":
    asyncio.run(main())
