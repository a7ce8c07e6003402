"""The FastAPI reference: the same endpoint as a FastAPI route.

/items/<id>        FastAPI's own ``Depends`` (sync dependencies in its
                   threadpool, as FastAPI always runs them)
/hand/items/<id>   the graph resolved by hand in the route (the baseline)
"""

from typing import Annotated

from endpoint import CurrentUser, body, stats, user_by_hand
from fastapi import FastAPI, Header


def add_routes(api: FastAPI) -> None:
    api.get("/stats")(stats)

    @api.get("/items/{item_id}")
    async def item(item_id: int, user: CurrentUser) -> dict[str, object]:
        return body(item_id, user)

    @api.get("/hand/items/{item_id}")
    async def item_hand(
        item_id: int, x_user: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        user, gen = user_by_hand(x_user)
        try:
            return body(item_id, user)
        finally:
            gen.close()


app = FastAPI()
add_routes(app)
