"""docs/auth.md: the Django request and user, DRF views, Django's login in FastAPI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.docs import django_env

# Configured at collection, before a lazier conftest (tests/openapi's) can
# configure Django without a database; tests/django's, when collected, wins.
django_env.configure()


URLS = "docs_src.auth.urls"
USERNAME = "ada"


@pytest.fixture
def site(django_db_blocker: Any) -> Iterator[Any]:
    """A real project routed to the page's urls, with one user (and a token)."""
    django_env.configure()
    with django_env.django_site(django_db_blocker, ROOT_URLCONF=URLS):
        import docs_src.auth.drf_views as drf_views
        from django.contrib.auth.models import User

        user = User.objects.create_user(USERNAME, password="pw")
        try:
            yield user
        finally:
            user.delete()
            drf_views.SHELVES.clear()


def _client() -> Any:
    from django.test import Client

    return Client(raise_request_exception=False)


def _token(user: Any) -> dict[str, str]:
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def test_urls_route_to_the_page_views(site: Any) -> None:
    from django.urls import resolve
    from docs_src.auth.deps import client_ip, current_username
    from docs_src.auth.drf_views import BookViewSet, add, whoami
    from docs_src.auth.views import me

    assert resolve("/me").func is me
    assert resolve("/drf/books/").func.cls is BookViewSet
    assert resolve("/drf/add").func is add
    assert resolve("/drf/whoami").func is whoami
    assert callable(client_ip) and callable(current_username)


def test_views_user_and_request(site: Any) -> None:
    client = _client()
    r = client.get("/me")
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}
    client.force_login(site)
    assert client.get("/me").json() == {"user": USERNAME, "ip": "127.0.0.1"}


def test_outside_a_view(site: Any) -> None:
    import docs_src.auth.outside as outside

    from fastapi_everywhere import ScopeError

    with pytest.raises(ScopeError, match=r"fastapi_everywhere\.django\.django_user"):
        outside.nightly_report()
    assert outside.run_report_as(site) == f"report for {USERNAME}"
    assert outside.api.dependency_overrides == {}


def test_drf_viewset(site: Any) -> None:
    client = _client()
    assert client.get("/drf/books/").status_code == 401  # DRF's, before any dep
    auth = _token(site)
    assert client.get("/drf/books/", **auth).json() == []
    r = client.post(
        "/drf/books/",
        data=json.dumps({"title": "Dune"}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201
    assert r.json() == {"title": "Dune"}
    assert client.get("/drf/books/", **auth).json() == ["Dune"]
    # A FastAPI validation error, through DRF's exception handler: FastAPI's
    # status and body.
    r = client.post("/drf/books/", data="{}", content_type="application/json", **auth)
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "title"]
    assert error["type"] == "missing"
    assert client.post("/drf/books/clear/", **auth).json() == {"removed": 1}


def test_drf_api_view_both_orders(site: Any) -> None:
    client = _client()
    r = client.post(
        "/drf/add", data=json.dumps({"a": 2, "b": 3}), content_type="application/json"
    )
    assert r.json() == {"sum": 5}
    # DRF answers first (its default authentication: a 403 for a session API).
    assert client.get("/drf/whoami").status_code == 403
    client.force_login(site)
    assert client.get("/drf/whoami").json() == {"user": USERNAME, "ip": "127.0.0.1"}


def test_drf_errors_handler(site: Any) -> None:
    from django.test import override_settings

    from fastapi_everywhere.django import FastAPIError

    handler = "docs_src.auth.drf_errors.api_errors"
    with override_settings(REST_FRAMEWORK={"EXCEPTION_HANDLER": handler}):
        r = _client().post(
            "/drf/add", data=json.dumps({"a": 2}), content_type="application/json"
        )
    assert r.status_code == 422
    body = r.json()
    assert body["from"] == "RequestValidationError"
    assert body["error"]["detail"][0]["loc"] == ["body", "b"]
    assert issubclass(FastAPIError, Exception)


def test_drf_errors_response_mode(site: Any) -> None:
    import docs_src.auth.settings_drf as settings_drf
    from django.test import override_settings

    handler = "docs_src.auth.drf_errors.api_errors"
    with override_settings(
        FASTAPI_EVERYWHERE=settings_drf.FASTAPI_EVERYWHERE,
        REST_FRAMEWORK={"EXCEPTION_HANDLER": handler},
    ):
        r = _client().post(
            "/drf/add", data=json.dumps({"a": 2}), content_type="application/json"
        )
    # FastAPI's own response: the project's DRF handler is not asked.
    assert r.status_code == 422
    assert r["Content-Type"] == "application/json"
    assert list(r.json()) == ["detail"]
    assert r.json()["detail"][0]["loc"] == ["body", "b"]


def test_session_routes(site: Any) -> None:
    from django.http import HttpRequest
    from django.middleware.csrf import get_token
    from docs_src.auth.session_routes import api
    from fastapi.testclient import TestClient

    django_client = _client()
    django_client.force_login(site)
    session = django_client.cookies["sessionid"].value
    csrf_request = HttpRequest()
    token = get_token(csrf_request)
    csrf_cookie = csrf_request.META["CSRF_COOKIE"]

    with TestClient(api) as http:
        assert http.get("/api/me").json() == {"user": None}
        assert http.post("/api/notes", json={"text": "hi"}).status_code == 403
        http.cookies.set("sessionid", session)
        assert http.get("/api/me").json() == {"user": USERNAME}
        r = http.post("/api/notes", json={"text": "hi"})
        assert r.status_code == 403
        assert r.json() == {"detail": "CSRF verification failed: CSRF cookie not set."}
        http.cookies.set("csrftoken", csrf_cookie)
        r = http.post("/api/notes", json={"text": "hi"})
        assert r.json() == {"detail": "CSRF verification failed: CSRF token missing."}
        r = http.post("/api/notes", json={"text": "hi"}, headers={"X-CSRFToken": token})
        assert r.json() == {"by": USERNAME, "text": "hi"}
        http.cookies.delete("sessionid")
        r = http.post("/api/notes", json={"text": "hi"}, headers={"X-CSRFToken": token})
        assert r.status_code == 401
        assert r.json() == {"detail": "Not authenticated"}
