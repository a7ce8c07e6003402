"""FastAPI dependencies the DRF views share with FastAPI routes.

``DjangoUser`` is the user DRF authenticated (token or session); in a
FastAPI route of the migrating project the same user comes from Django's
session cookie (``SessionUser``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query
from pydantic import BaseModel, Field

from fastapi_everywhere.django import DjangoUser

from .models import Book


class BookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    pages: int = Field(default=0, ge=0)


def page_size(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> int:
    return limit


def my_books(user: DjangoUser, limit: Annotated[int, Depends(page_size)]) -> list[Book]:
    if not user.is_authenticated:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return list(Book.objects.filter(owner=user)[:limit])


MyBooks = Annotated[list[Book], Depends(my_books)]
