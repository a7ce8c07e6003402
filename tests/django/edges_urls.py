"""Django views over the edge tests' dependencies (see ``_wsgi_edges``)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from fastapi import Depends

from _wsgi_edges import body_value, header_values
from fastapi_everywhere.django import with_fastapi_depends


@csrf_exempt
@with_fastapi_depends
def body_view(
    request: HttpRequest, *, data: Annotated[dict[str, Any], Depends(body_value)]
) -> JsonResponse:
    return JsonResponse(data)


@with_fastapi_depends
def headers_view(
    request: HttpRequest, *, data: Annotated[dict[str, Any], Depends(header_values)]
) -> JsonResponse:
    return JsonResponse(data)


urlpatterns = [path("body", body_view), path("headers", headers_view)]
