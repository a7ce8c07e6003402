from typing import Annotated

from fastapi import HTTPException, Query
from flask import Blueprint
from pydantic import BaseModel

from fastapi_everywhere.flask import with_fastapi_depends


class Item(BaseModel):
    id: int
    name: str
    supplier_key: str  # never sent: not in ItemOut


class ItemOut(BaseModel):
    id: int
    name: str


ITEMS = {1: Item(id=1, name="hammer", supplier_key="k-17")}
items = Blueprint("items", __name__)


@items.get("/items/<int:item_id>")
@with_fastapi_depends(response_model=ItemOut, tags=["items"])
def read_item(item_id: int, *, q: Annotated[str | None, Query(max_length=20)] = None):
    """Read one item.

    The docstring is the operation's description, as in FastAPI.
    """
    item = ITEMS.get(item_id)
    if item is None or (q is not None and q not in item.name):
        raise HTTPException(status_code=404, detail="Item not found")
    return item  # a pydantic model: FastAPI serialises it through ItemOut
