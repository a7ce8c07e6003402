"""``mount()`` end to end with ``TestClient(api)``, the whole-app move test,
and the documents of Django- and Flask-only projects."""

from __future__ import annotations

import warnings
from typing import Annotated, Any

import oa_django_urls
import pytest
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import Client
from django.urls import clear_url_caches, include, path
from fastapi import FastAPI, Query
from flask import Flask
from flask.views import MethodView
from oa_common import Item, ItemOut

from fastapi_everywhere import django as fe_django
from fastapi_everywhere import flask as fe_flask

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def get_item(id: int, *, q: Annotated[str, Query(max_length=3)] = "a") -> ItemOut:
    """Read one item."""
    return ItemOut(id=id, name=q)


def list_items(*, limit: Annotated[int, Query(le=10)] = 2) -> list[ItemOut]:
    return [ItemOut(id=i, name="n") for i in range(limit)]


def django_get_item(
    request: Any, id: int, *, q: Annotated[str, Query(max_length=3)] = "a"
) -> ItemOut:
    """Read one item."""
    return ItemOut(id=id, name=q)


@transaction.non_atomic_requests  # tests/django's settings use ATOMIC_REQUESTS
async def django_list_items(
    request: Any, *, limit: Annotated[int, Query(le=10)] = 2
) -> list[ItemOut]:
    return [ItemOut(id=i, name="n") for i in range(limit)]


django_get_item.__name__ = "get_item"
django_list_items.__name__ = "list_items"


def flask_app(*, with_list: bool = True) -> Flask:
    app = Flask("oa_mount")
    fe_flask.FastAPIDepends(app)
    app.add_url_rule(
        "/items/<int:id>",
        view_func=fe_flask.with_fastapi_depends(tags=["items"])(get_item),
    )
    if with_list:
        app.add_url_rule("/items", view_func=fe_flask.with_fastapi_depends(list_items))
    return app


def django_urls(*, with_list: bool = True) -> None:
    items = [
        path(
            "<int:id>", fe_django.with_fastapi_depends(tags=["items"])(django_get_item)
        )
    ]
    if with_list:
        items.append(path("", fe_django.with_fastapi_depends(django_list_items)))
    oa_django_urls.urlpatterns[:] = [path("items/", include(items))]
    clear_url_caches()


def test_flask_mount_serves_and_documents() -> None:
    api = FastAPI()
    app = flask_app()
    fe_flask.mount(api, "/legacy/", app)
    client = TestClient(api)
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {"/legacy/items/{id}", "/legacy/items"}
    assert paths["/legacy/items/{id}"]["get"]["tags"] == ["items"]
    assert client.get("/docs").status_code == 200
    # Routes added after the document was made appear too.
    app.add_url_rule(
        "/more", view_func=fe_flask.with_fastapi_depends(list_items), endpoint="more"
    )
    assert "/legacy/more" in client.get("/openapi.json").json()["paths"]

    got = client.get("/legacy/items/3?q=ab")
    assert got.json() == {"id": 3, "name": "ab", "secret": None}
    assert client.get("/legacy/items/3?q=abcd").status_code == 422


def test_flask_method_view_documented_per_method() -> None:
    class Items(MethodView):
        @fe_flask.with_fastapi_depends(response_model=ItemOut)
        def get(self, id: int) -> Any:
            return {"id": id, "name": "g"}

        @fe_flask.with_fastapi_depends(status_code=201)
        def put(self, id: int, *, item: Annotated[Item, fe_body()]) -> ItemOut:
            return ItemOut(id=id, name=item.name)

    app = Flask("oa_methodview")
    fe_flask.FastAPIDepends(app)
    app.add_url_rule("/items/<int:id>", view_func=Items.as_view("items"))
    api = FastAPI()
    fe_flask.mount(api, "/v", app)
    client = TestClient(api)
    assert client.put("/v/items/2", json={"name": "pen"}).status_code == 201
    operations = client.get("/openapi.json").json()["paths"]["/v/items/{id}"]
    assert set(operations) == {"get", "put"}
    assert "requestBody" in operations["put"]


def fe_body() -> Any:
    from fastapi import Body

    return Body()


@pytest.mark.parametrize("handler", ["asgi", "wsgi"])
def test_django_mount_serves_and_documents(handler: str) -> None:
    django_urls()
    django_app = get_asgi_application() if handler == "asgi" else get_wsgi_application()
    api = FastAPI()
    fe_django.mount(api, "/dj", django_app)
    client = TestClient(api)
    assert client.get("/dj/items/3?q=ab").json() == {
        "id": 3,
        "name": "ab",
        "secret": None,
    }
    assert client.get("/dj/items/").json()[1]["id"] == 1
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {"/dj/items/{id}", "/dj/items/"}
    assert (
        paths["/dj/items/{id}"]["get"]["parameters"][0]["schema"]["type"] == "integer"
    )


def _fastapi_side(api: FastAPI, prefix: str, items_path: str) -> None:
    api.get(prefix + items_path)(list_items)


def test_moving_a_flask_endpoint_to_fastapi_leaves_the_document_unchanged() -> None:
    before = FastAPI()
    fe_flask.mount(before, "/legacy", flask_app())
    after = FastAPI()
    _fastapi_side(after, "/legacy", "/items")  # moved: now a FastAPI route
    fe_flask.mount(after, "/legacy", flask_app(with_list=False))
    assert (
        TestClient(after).get("/legacy/items").json()
        == TestClient(before).get("/legacy/items").json()
    )
    assert before.openapi() == after.openapi()


def test_moving_a_django_endpoint_to_fastapi_leaves_the_document_unchanged() -> None:
    django_urls()
    before = FastAPI()
    fe_django.mount(before, "/dj", get_asgi_application())
    expected = before.openapi()
    django_urls(with_list=False)
    after = FastAPI()
    _fastapi_side(after, "/dj", "/items/")
    fe_django.mount(after, "/dj", get_asgi_application())
    assert after.openapi() == expected


def test_bad_mount_paths_name_the_function() -> None:
    with pytest.raises(
        ValueError, match=r"fastapi_everywhere.flask.mount: path must start"
    ):
        fe_flask.mount(FastAPI(), "legacy", flask_app())
    with pytest.raises(TypeError, match=r"fastapi_everywhere.django.mount: path"):
        fe_django.mount(FastAPI(), None, get_asgi_application())  # type: ignore[arg-type]


def test_flask_only_project_serves_its_document() -> None:
    app = flask_app()
    app.register_blueprint(fe_flask.openapi_blueprint(title="Notes"), url_prefix="/api")
    client = app.test_client()
    document = client.get("/api/openapi.json").get_json()
    assert document == fe_flask.openapi_document(app, title="Notes")
    assert document["info"]["title"] == "Notes"
    assert set(document["paths"]) == {"/items/{id}", "/items"}
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"/api/openapi.json" in page.data


def test_django_only_project_serves_its_document() -> None:
    django_urls()
    oa_django_urls.urlpatterns.append(
        path("api/", include(fe_django.openapi_urls(title="Notes")))
    )
    clear_url_caches()
    client = Client()
    document = client.get("/api/openapi.json").json()
    assert document == fe_django.openapi_document(title="Notes")
    assert set(document["paths"]) == {"/items/{id}", "/items/"}
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"/api/openapi.json" in page.content
