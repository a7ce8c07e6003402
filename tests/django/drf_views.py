"""Django REST framework test views: bodies DRF parsed first, throttling, errors.

The example's DRF app (``example_django/drf``) has the everyday views; these
pin the edges.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from fastapi import Body, Depends, File, Form, HTTPException, Query, UploadFile
from pydantic import BaseModel
from rest_framework import exceptions, permissions
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from fastapi_everywhere.django import DjangoRequest, DjangoUser, with_fastapi_depends

CALLS: list[str] = []


class Item(BaseModel):
    name: str
    price: float


class ReadsData(permissions.BasePermission):
    """A permission that parses the body (``request.data``) before the view."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return request.data is not None


class OncePerTest(SimpleRateThrottle):
    rate = "1/hour"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return "fe-tests-once"


def counted() -> int:
    CALLS.append("dep")
    return len(CALLS)


def teapot() -> None:
    raise HTTPException(418, "short and stout", headers={"X-Tea": "earl grey"})


def missing() -> None:
    raise exceptions.NotFound("no such book")


@api_view(["POST"])
@permission_classes([ReadsData])
@with_fastapi_depends
def parsed_json(request: Request, *, item: Annotated[Item, Body()]) -> Response:
    return Response({"item": item.model_dump(), "data": request.data})


@api_view(["POST"])
@permission_classes([ReadsData])
@with_fastapi_depends
def parsed_form(
    request: Request,
    *,
    name: Annotated[str, Form()],
    tags: Annotated[list[str], Form()],
    upload: Annotated[UploadFile, File()],
) -> Response:
    return Response(
        {
            "name": name,
            "tags": tags,
            "upload": upload.file.read().decode(),
            "filename": upload.filename,
            "data_name": request.data["name"],
        }
    )


@api_view(["POST"])
@with_fastapi_depends
def unparsed(request: Request, *, item: Annotated[Item, Body()]) -> Response:
    # Read by the dependency first: DRF parses the cached body afterwards.
    return Response({"item": item.model_dump(), "data": request.data})


@api_view(["GET"])
@permission_classes([permissions.AllowAny])
@throttle_classes([OncePerTest])
@with_fastapi_depends
def throttled(request: Request, *, n: Annotated[int, Depends(counted)]) -> Response:
    return Response({"n": n})


@api_view(["GET"])
@permission_classes([permissions.AllowAny])
@with_fastapi_depends
def tea(request: Request, *, _: Annotated[None, Depends(teapot)]) -> Response:
    return Response({})


@with_fastapi_depends
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def invalid(request: Request, *, n: Annotated[int, Query()]) -> Response:
    return Response({"n": n})


@api_view(["GET"])
@permission_classes([permissions.AllowAny])
@with_fastapi_depends
def drf_error(request: Request, *, _: Annotated[None, Depends(missing)]) -> Response:
    return Response({})


@api_view(["GET"])
@permission_classes([permissions.AllowAny])
@with_fastapi_depends
def who(request: Request, *, user: DjangoUser, host: DjangoRequest) -> Response:
    return Response({"user": str(user), "drf": host is request})


# -- plain Django views: the user AuthenticationMiddleware set ----------------


@with_fastapi_depends
def plain_who(request: HttpRequest, *, user: DjangoUser) -> JsonResponse:
    return JsonResponse({"user": str(user), "auth": user.is_authenticated})


@with_fastapi_depends
async def aplain_who(
    request: HttpRequest, *, user: DjangoUser, host: DjangoRequest
) -> JsonResponse:
    return JsonResponse(
        {"user": str(user), "auth": user.is_authenticated, "same": host is request}
    )
