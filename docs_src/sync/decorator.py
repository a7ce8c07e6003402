import threading
from typing import Annotated

from fastapi import Depends, Header

from fastapi_everywhere import sync


async def get_client():  # async: runs on the shared loop thread
    yield "http-client"


def get_db():  # sync: runs on the calling thread
    yield f"db on {threading.current_thread().name}"


def current_user(authorization: Annotated[str, Header()]) -> str:
    return authorization.removeprefix("Bearer ")


@sync.with_fastapi_depends
def import_orders(
    path: str,
    *,
    db: Annotated[str, Depends(get_db)],
    client: Annotated[str, Depends(get_client)],
    user: Annotated[str, Depends(current_user)],
) -> str:
    return f"{path} by {user} into {db} with {client}"


if __name__ == "__main__":
    headers = {"authorization": "Bearer ops"}
    print(import_orders("orders.csv", _scope={"headers": headers}))
    # orders.csv by ops into db on MainThread with http-client
