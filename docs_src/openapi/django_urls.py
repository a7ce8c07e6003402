from django.urls import include, path

from fastapi_everywhere.django import openapi_urls

from . import django_items

urlpatterns = [
    path("items/<int:item_id>", django_items.read_item),
    # /api/openapi.json and /api/docs (Swagger UI), with nothing mounted
    path("api/", include(openapi_urls(title="Shop", version="1.0"))),
]
