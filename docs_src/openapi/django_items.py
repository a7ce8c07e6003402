from typing import Annotated

from django.http import HttpRequest
from fastapi import HTTPException, Query
from pydantic import BaseModel

from fastapi_everywhere.django import with_fastapi_depends


class ItemOut(BaseModel):
    id: int
    name: str


ITEMS = {1: {"id": 1, "name": "hammer", "supplier_key": "k-17"}}


@with_fastapi_depends(response_model=ItemOut, tags=["items"], methods=["GET"])
def read_item(
    request: HttpRequest,
    item_id: int,
    *,
    q: Annotated[str | None, Query(max_length=20)] = None,
):
    """Read one item."""
    item = ITEMS.get(item_id)
    if item is None or (q is not None and q not in item["name"]):
        raise HTTPException(status_code=404, detail="Item not found")
    return item  # a dict, validated and filtered through ItemOut
