"""docs/openapi.md: FastAPI responses and one OpenAPI document for legacy views."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Annotated, Any

import docs_src.openapi.flask_items as flask_items
import docs_src.openapi.flask_mount as flask_mount
import docs_src.openapi.flask_standalone as flask_standalone
import pytest
from fastapi import FastAPI, HTTPException, Query
from fastapi.testclient import TestClient
from tests.docs import django_env

from fastapi_everywhere.flask import openapi_document

# Configured at collection, before a lazier conftest (tests/openapi's) can
# configure Django without a database; tests/django's, when collected, wins.
django_env.configure()


def _twin() -> FastAPI:
    """The same endpoint written as a FastAPI route."""
    twin = FastAPI(title="Shop")

    @twin.get("/items/{item_id}", response_model=flask_items.ItemOut, tags=["items"])
    def read_item(item_id: int, q: Annotated[str | None, Query(max_length=20)] = None):
        """Read one item.

        The docstring is the operation's description, as in FastAPI.
        """
        item = flask_items.ITEMS.get(item_id)
        if item is None or (q is not None and q not in item.name):
            raise HTTPException(status_code=404, detail="Item not found")
        return item

    return twin


def test_flask_items_same_bytes_as_fastapi() -> None:
    flask_client = flask_standalone.create_app().test_client()
    with TestClient(_twin()) as fastapi_client:
        for url in (
            "/items/1",
            "/items/1?q=ham",
            "/items/1?q=saw",
            "/items/2",
            "/items/1?q=" + "x" * 21,
        ):
            ours = flask_client.get(url)
            theirs = fastapi_client.get(url)
            assert ours.status_code == theirs.status_code, url
            assert ours.data == theirs.content, url
    assert flask_client.get("/items/1").get_json() == {"id": 1, "name": "hammer"}


def test_flask_mount_lists_the_views() -> None:
    with TestClient(flask_mount.api) as http:
        assert http.get("/legacy/items/1").json() == {"id": 1, "name": "hammer"}
        assert http.get("/health").json() == {"ok": True}
        doc = http.get("/openapi.json").json()
    assert set(doc["paths"]) == {"/health", "/legacy/items/{item_id}"}
    op = doc["paths"]["/legacy/items/{item_id}"]["get"]
    assert op["tags"] == ["items"]
    assert op["description"] == inspect.cleandoc(flask_items.read_item.__doc__ or "")
    params = {p["name"]: p for p in op["parameters"]}
    assert params["item_id"]["in"] == "path"
    assert params["item_id"]["schema"]["type"] == "integer"
    assert params["q"]["in"] == "query"
    assert "422" in op["responses"]
    assert "ItemOut" in doc["components"]["schemas"]


def test_flask_mount_document_is_fastapis() -> None:
    # The mounted views' operation is the one FastAPI writes for its twin.
    twin = _twin().openapi()["paths"]["/items/{item_id}"]["get"]
    with TestClient(flask_mount.api) as http:
        ours = http.get("/openapi.json").json()["paths"]["/legacy/items/{item_id}"]
    assert {k: v for k, v in ours["get"].items() if k != "operationId"} == {
        k: v for k, v in twin.items() if k != "operationId"
    }


def test_flask_standalone() -> None:
    app = flask_standalone.create_app()
    client = app.test_client()
    doc = client.get("/api/openapi.json").get_json()
    assert doc["info"]["title"] == "Shop"
    assert list(doc["paths"]) == ["/items/{item_id}"]
    assert "swagger-ui" in client.get("/api/docs").get_data(as_text=True)
    # The document alone, e.g. for a test that a migration step changes nothing.
    assert openapi_document(app, title="Shop") == doc


@pytest.fixture
def django_site(django_db_blocker: Any) -> Iterator[None]:
    django_env.configure()
    with django_env.django_site(
        django_db_blocker, ROOT_URLCONF="docs_src.openapi.django_urls"
    ):
        yield


def test_django_items_and_openapi_urls(django_site: None) -> None:
    from django.test import Client
    from django.urls import resolve
    from docs_src.openapi.django_items import read_item

    from fastapi_everywhere.django import openapi_document as django_document

    assert resolve("/items/1").func is read_item

    client = Client()
    r = client.get("/items/1")
    assert r.json() == {"id": 1, "name": "hammer"}
    assert client.get("/items/1?q=saw").json() == {"detail": "Item not found"}
    doc = client.get("/api/openapi.json").json()
    assert doc["info"] == {"title": "Shop", "version": "1.0"}
    op = doc["paths"]["/items/{item_id}"]["get"]
    assert op["tags"] == ["items"]
    assert op["description"] == "Read one item."
    assert "swagger-ui" in client.get("/api/docs").content.decode()
    assert django_document(title="Shop", version="1.0") == doc


def test_django_mount(django_site: None) -> None:
    from docs_src.openapi.django_mount import create_api

    with TestClient(create_api()) as http:
        assert http.get("/legacy/items/1").json() == {"id": 1, "name": "hammer"}
        doc = http.get("/openapi.json").json()
    assert "/legacy/items/{item_id}" in doc["paths"]
    assert doc["paths"]["/legacy/items/{item_id}"]["get"]["tags"] == ["items"]
