"""Django class-based views in the document: ``FastAPIDependsMixin`` and
``method_decorator``, one operation per handler the class defines, each as
FastAPI documents the same signature."""

from __future__ import annotations

from typing import Annotated, Any

from django.urls import path
from django.utils.decorators import method_decorator
from django.views import View
from fastapi import Body, FastAPI, Header, Query
from oa_common import Item, ItemOut

from fastapi_everywhere.django import (
    FastAPIDependsMixin,
    openapi_document,
    with_fastapi_depends,
)


def get(id: int, *, q: Annotated[str | None, Query(max_length=4)] = None) -> ItemOut:
    """Read it."""
    return ItemOut(id=id, name="n")


def post(id: int, *, item: Annotated[Item, Body()]) -> ItemOut:
    return ItemOut(id=id, name=item.name)


def put(id: int, *, x_token: Annotated[str, Header()]):  # type: ignore[no-untyped-def]
    return None


class Things(FastAPIDependsMixin, View):
    def get(
        self,
        request: Any,
        id: int,
        *,
        q: Annotated[str | None, Query(max_length=4)] = None,
    ) -> ItemOut:
        """Read it."""
        return ItemOut(id=id, name="n")

    def post(self, request: Any, id: int, *, item: Annotated[Item, Body()]) -> ItemOut:
        return ItemOut(id=id, name=item.name)


@method_decorator(with_fastapi_depends(status_code=204, tags=["t"]), name="put")
class Others(View):
    def put(self, request: Any, id: int, *, x_token: Annotated[str, Header()]):  # type: ignore[no-untyped-def]
        return None

    def get(self, request: Any, id: int) -> Any:  # not bridged: not documented
        return None


class Urls:
    urlpatterns = [
        path("things/<int:id>", Things.as_view()),
        path("others/<int:id>", Others.as_view()),
    ]


def test_class_based_views_documented_like_fastapi_routes() -> None:
    api = FastAPI()
    api.get("/things/{id}")(get)
    api.post("/things/{id}")(post)
    api.put("/others/{id}", status_code=204, tags=["t"])(put)
    assert openapi_document(Urls) == api.openapi()
