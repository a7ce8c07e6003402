from typing import Annotated

from fastapi import Body, Depends
from pydantic import BaseModel, Field
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from fastapi_everywhere.django import DjangoUser, with_fastapi_depends

from .deps import ClientIp

SHELVES: dict[str, list[str]] = {}  # stands in for your models


def my_books(user: DjangoUser) -> list[str]:  # DRF's authenticated user
    return SHELVES.setdefault(user.get_username(), [])


MyBooks = Annotated[list[str], Depends(my_books)]


class BookIn(BaseModel):
    title: str = Field(min_length=1)


class BookViewSet(viewsets.ViewSet):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @with_fastapi_depends
    def list(self, request: Request, *, books: MyBooks) -> Response:
        return Response(books)

    @with_fastapi_depends
    def create(
        self, request: Request, *, book: Annotated[BookIn, Body()], books: MyBooks
    ) -> Response:
        books.append(book.title)
        return Response({"title": book.title}, status=201)

    @action(detail=False, methods=["post"])  # above or below: both work
    @with_fastapi_depends
    def clear(self, request: Request, *, books: MyBooks) -> Response:
        removed = len(books)
        books.clear()
        return Response({"removed": removed})


@api_view(["POST"])
@permission_classes([AllowAny])
@with_fastapi_depends  # under @api_view ...
def add(
    request: Request, *, a: Annotated[int, Body()], b: Annotated[int, Body()]
) -> Response:
    return Response({"sum": a + b})


@with_fastapi_depends  # ... or above it
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def whoami(request: Request, *, user: DjangoUser, ip: ClientIp) -> Response:
    return Response({"user": user.get_username(), "ip": ip})
