"""Django REST framework views with FastAPI dependencies, on a real DRF project.

The example's DRF app (``example_django/drf``: a model, a serializer, a
ViewSet with a router and ``@action``s, an ``APIView``, ``@api_view`` in
both decorator orders; token and session authentication) and the edge views
of ``drf_views.py``, on the SQLite test database.
"""

from __future__ import annotations

from typing import Any

import drf_views
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import override_settings
from example_django.drf.models import Book
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fastapi_everywhere.django import FastAPIError


@pytest.fixture
def alice() -> Any:
    user = User.objects.create_user("alice", password="pw-alice")
    yield user
    user.delete()


@pytest.fixture
def api(alice: Any) -> APIClient:
    token = Token.objects.create(user=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# -- the example: ViewSet, router, actions, APIView, @api_view -----------------


def test_viewset_list_and_create(api: APIClient, alice: Any) -> None:
    r = api.post("/drf/books/", {"title": "Dune", "pages": 412}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["owner"] == "alice"
    api.post("/drf/books/", {"title": "Emma"}, format="json")
    r = api.get("/drf/books/?limit=1")
    assert r.status_code == 200
    assert [b["title"] for b in r.json()] == ["Dune"]
    assert r["Content-Type"] == "application/json"  # DRF's renderer


def test_viewset_untouched_actions_still_work(api: APIClient, alice: Any) -> None:
    book = Book.objects.create(owner=alice, title="Dune")
    assert api.get(f"/drf/books/{book.pk}/").json()["title"] == "Dune"
    assert api.delete(f"/drf/books/{book.pk}/").status_code == 204


def test_actions_in_both_decorator_orders(api: APIClient, alice: Any) -> None:
    book = Book.objects.create(owner=alice, title="Dune")
    r = api.post(f"/drf/books/{book.pk}/rename/", {"title": "Arrakis"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["title"] == "Arrakis"
    assert api.get("/drf/books/count/").json() == {"count": 1}


def test_validation_error_is_fastapis_body(api: APIClient, alice: Any) -> None:
    r = api.post("/drf/books/", {"title": "", "pages": -1}, format="json")
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [e["loc"] for e in detail] == [["body", "title"], ["body", "pages"]]
    assert detail[1]["input"] == -1  # FastAPI's values, not DRF's strings
    r = api.post(f"/drf/books/{Book.objects.create(owner=alice).pk}/rename/", {})
    assert r.json()["detail"][0]["loc"] == ["body", "title"]


def test_authentication_and_permissions_run_first() -> None:
    anonymous = APIClient()
    # 401/403 from DRF, not FastAPI's 422 for the missing body.
    assert anonymous.post("/drf/books/", {}, format="json").status_code in (401, 403)
    r = anonymous.post(
        "/drf/add-book/", {}, format="json"
    )  # @with_fastapi_depends on top
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == "Token"


def test_api_view_with_depends_on_top(api: APIClient, alice: Any) -> None:
    r = api.post("/drf/add-book/", {"title": "Emma", "pages": 3}, format="json")
    assert r.status_code == 201, r.content
    assert Book.objects.get(owner=alice).title == "Emma"


def test_api_view_below(api: APIClient) -> None:
    r = APIClient().post("/drf/add-pages/", {"a": 1, "b": 2}, format="json")
    assert r.json() == {"sum": 3}


def test_api_view_form_encoded_body() -> None:
    r = APIClient().post(
        "/drf/add-pages/", "a=1&b=2", content_type="application/x-www-form-urlencoded"
    )
    # Body() of a form body: FastAPI reads it as JSON and fails, as it would.
    assert r.status_code == 422


def test_apiview_user_and_request(api: APIClient) -> None:
    r = api.get("/drf/me/", HTTP_USER_AGENT="tests")
    assert r.json() == {
        "user": "alice",
        "auth": "TokenAuthentication",
        "drf_request": True,
        "agent": "tests",
    }


def test_session_authentication(alice: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    r = client.get("/drf/me/")
    assert r.json()["auth"] == "SessionAuthentication"
    # An unsafe method without the CSRF token: DRF's check refuses it first.
    r = client.post("/drf/books/", {"title": "x"}, format="json")
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]


# -- bodies DRF parsed first ---------------------------------------------------


def test_json_body_parsed_by_drf_first() -> None:
    r = APIClient().post(
        "/drf-edges/parsed-json", {"name": "pen", "price": 1.5}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "item": {"name": "pen", "price": 1.5},
        "data": {"name": "pen", "price": 1.5},
    }


def test_multipart_body_parsed_by_drf_first() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = APIClient().post(
        "/drf-edges/parsed-form",
        {
            "name": "pen",
            "tags": ["a", "b"],
            "upload": SimpleUploadedFile("n.txt", b"hello"),
        },
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "name": "pen",
        "tags": ["a", "b"],
        "upload": "hello",
        "filename": "n.txt",
        "data_name": "pen",
    }


def test_body_read_by_dependency_then_drf() -> None:
    r = APIClient().post(
        "/drf-edges/unparsed", {"name": "pen", "price": 2}, format="json"
    )
    assert r.json() == {
        "item": {"name": "pen", "price": 2.0},
        "data": {"name": "pen", "price": 2},
    }


# -- throttling, errors --------------------------------------------------------


def test_throttling_runs_before_dependencies() -> None:
    cache.clear()
    drf_views.CALLS.clear()
    client = APIClient()
    assert client.get("/drf-edges/throttled").json() == {"n": 1}
    assert client.get("/drf-edges/throttled").status_code == 429
    assert drf_views.CALLS == ["dep"]  # the throttled call resolved nothing
    cache.clear()


def test_http_exception_through_drf_renderers() -> None:
    r = APIClient().get("/drf-edges/tea")
    assert r.status_code == 418
    assert r.json() == {"detail": "short and stout"}
    assert r["X-Tea"] == "earl grey"
    assert r["Content-Type"] == "application/json"
    html = APIClient().get("/drf-edges/tea", HTTP_ACCEPT="text/html")
    assert html.status_code == 418
    assert html["Content-Type"].startswith("text/html")  # the browsable API


def test_validation_error_with_depends_on_top() -> None:
    r = APIClient().get("/drf-edges/invalid?n=x")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "n"]


def recording_handler(exc: Exception, context: dict[str, Any]) -> Any:
    from rest_framework.views import exception_handler

    seen.append(exc)
    response = exception_handler(exc, context)
    if response is not None:
        response.data = {"error": response.data}
    return response


seen: list[Any] = []


def test_project_exception_handler_sees_fastapi_errors() -> None:
    seen.clear()
    with override_settings(
        REST_FRAMEWORK={"EXCEPTION_HANDLER": "test_django_drf.recording_handler"}
    ):
        r = APIClient().get("/drf-edges/tea")
    assert r.status_code == 418
    assert r.json() == {"error": {"detail": "short and stout"}}
    assert isinstance(seen[0], FastAPIError)
    assert seen[0].__cause__.status_code == 418


def test_drf_errors_response_setting() -> None:
    seen.clear()
    with override_settings(
        REST_FRAMEWORK={"EXCEPTION_HANDLER": "test_django_drf.recording_handler"},
        FASTAPI_EVERYWHERE={"DRF_ERRORS": "response"},
    ):
        r = APIClient().get("/drf-edges/tea", HTTP_ACCEPT="text/html")
    assert r.status_code == 418
    assert r.json() == {"detail": "short and stout"}  # FastAPI's own response
    assert r["X-Tea"] == "earl grey"
    assert seen == []


def test_drf_errors_setting_is_validated() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from fastapi_everywhere.django._settings import load

    with pytest.raises(ImproperlyConfigured, match="DRF_ERRORS"):
        load({"DRF_ERRORS": "html"})


def test_drf_exceptions_from_dependencies_are_drfs() -> None:
    r = APIClient().get("/drf-edges/drf-error")
    assert r.status_code == 404
    assert r.json() == {"detail": "no such book"}


def test_user_and_request_in_api_view(alice: Any) -> None:
    client = APIClient()
    client.force_authenticate(alice)
    assert client.get("/drf-edges/who").json() == {"user": "alice", "drf": True}
    assert APIClient().get("/drf-edges/who").json() == {
        "user": "AnonymousUser",
        "drf": True,
    }
