"""DRF views using FastAPI dependencies: a ViewSet, an APIView, ``@api_view``.

DRF authenticates, checks permissions and throttles first; the FastAPI
dependencies are resolved after, from DRF's request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Header
from rest_framework import permissions, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fastapi_everywhere.django import DjangoRequest, DjangoUser, with_fastapi_depends

from .deps import BookIn, MyBooks
from .models import Book
from .serializers import BookSerializer

AUTH = [TokenAuthentication, SessionAuthentication]


class BookViewSet(viewsets.ModelViewSet):
    """The user's books; ``list``/``create`` and two actions take FastAPI deps."""

    serializer_class = BookSerializer
    authentication_classes = AUTH
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Book.objects.filter(owner=self.request.user)

    @with_fastapi_depends
    def list(self, request: Request, *, books: MyBooks) -> Response:
        return Response(BookSerializer(books, many=True).data)

    @with_fastapi_depends
    def create(
        self, request: Request, *, book: Annotated[BookIn, Body()], user: DjangoUser
    ) -> Response:
        created = Book.objects.create(owner=user, **book.model_dump())
        return Response(BookSerializer(created).data, status=201)

    @action(detail=True, methods=["post"])
    @with_fastapi_depends
    def rename(
        self,
        request: Request,
        pk: str | None = None,
        *,
        title: Annotated[str, Body(embed=True, min_length=1)],
    ) -> Response:
        book = self.get_object()
        book.title = title
        book.save()
        return Response(BookSerializer(book).data)

    @with_fastapi_depends
    @action(detail=False)
    def count(self, request: Request, *, books: MyBooks) -> Response:
        return Response({"count": len(books)})


class WhoAmI(APIView):
    authentication_classes = AUTH
    permission_classes = [permissions.IsAuthenticated]

    @with_fastapi_depends
    def get(
        self,
        request: Request,
        *,
        user: DjangoUser,
        host: DjangoRequest,
        agent: Annotated[str, Header(alias="User-Agent")] = "",
    ) -> Response:
        return Response(
            {
                "user": user.username,
                "auth": type(request.successful_authenticator).__name__,
                "drf_request": host is request,
                "agent": agent,
            }
        )


@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@with_fastapi_depends
def add_pages(
    request: Request, *, a: Annotated[int, Body()], b: Annotated[int, Body()]
) -> Response:
    return Response({"sum": a + b})


@with_fastapi_depends
@api_view(["POST"])
@authentication_classes([TokenAuthentication])
@permission_classes([permissions.IsAuthenticated])
def add_book(
    request: Request, *, book: Annotated[BookIn, Body()], user: DjangoUser
) -> Response:
    created = Book.objects.create(owner=user, **book.model_dump())
    return Response(BookSerializer(created).data, status=201)
