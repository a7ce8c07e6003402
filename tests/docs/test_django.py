"""docs/django.md: every example, run against a real Django project."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.docs import django_env

from fastapi_everywhere._engine._compat import TEARDOWN_BEFORE_BACKGROUND

# Configured at collection, before a lazier conftest (tests/openapi's) can
# configure Django without a database; tests/django's, when collected, wins.
django_env.configure()


BEARER = {"HTTP_AUTHORIZATION": "Bearer alice-token"}


@pytest.fixture
def site(django_db_blocker: Any) -> Iterator[None]:
    django_env.configure()
    import docs_src.django.settings as page_settings

    with django_env.django_site(
        django_db_blocker,
        ROOT_URLCONF="docs_src.django.urls",
        FASTAPI_EVERYWHERE=page_settings.FASTAPI_EVERYWHERE,
    ):
        yield


@pytest.fixture
def client(site: None) -> Any:
    from django.test import Client

    return Client(raise_request_exception=False)


def test_settings_fragment() -> None:
    import docs_src.django.settings as page_settings

    assert "fastapi_everywhere.django" in page_settings.INSTALLED_APPS
    assert page_settings.MIDDLEWARE[0] == (
        "fastapi_everywhere.django.FastAPIDependsMiddleware"
    )


def test_deps_are_plain_fastapi_dependencies() -> None:
    from docs_src.django.deps import Pagination, current_user

    assert current_user("Bearer bob-token") == "bob"
    assert Pagination(offset=1, limit=1).slice(["a", "b", "c"]) == ["b"]


def test_urls_route_to_the_page_views(site: None) -> None:
    from django.urls import resolve
    from docs_src.django.view_async import search_notes
    from docs_src.django.view_class import CountView, NotesView
    from docs_src.django.view_path import get_note
    from docs_src.django.view_resolve import asummary, summary
    from docs_src.django.views import list_notes

    assert resolve("/notes").func is list_notes
    assert resolve("/notes/3").func is get_note
    assert resolve("/notes/3").kwargs == {"index": 3}
    assert resolve("/cbv/notes").func.view_class is NotesView
    assert resolve("/cbv/count").func.view_class is CountView
    assert resolve("/search").func is search_notes
    assert resolve("/summary").func is summary
    assert resolve("/asummary").func is asummary


def test_view_basic(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    r = client.get("/notes?limit=2", **BEARER)
    assert r.status_code == 200
    assert r.json() == ["buy milk", "call bob"]
    assert r["X-Total-Count"] == "3"
    out = capsys.readouterr().out
    # The lifespan of the app named in the settings ran, and the yield
    # dependency was torn down when Django closed the response.
    assert "lifespan: startup" in out
    assert "repo: committed" in out


def test_view_basic_errors_are_fastapis(client: Any) -> None:
    r = client.get("/notes")
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}
    assert r["WWW-Authenticate"] == "Bearer"
    r = client.get("/notes?limit=0", **BEARER)
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["query", "limit"]
    assert error["type"] == "greater_than_equal"


def test_lifespan_shut_down_with_the_setting(
    django_db_blocker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    django_env.configure()
    import docs_src.django.settings as page_settings
    from django.test import Client

    with django_env.django_site(
        django_db_blocker,
        ROOT_URLCONF="docs_src.django.urls",
        FASTAPI_EVERYWHERE=page_settings.FASTAPI_EVERYWHERE,
    ):
        assert Client().get("/notes", **BEARER).status_code == 200
    assert "lifespan: shutdown" in capsys.readouterr().out


def test_view_path(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert client.get("/notes/2", **BEARER).json() == {"index": 2, "text": "call bob"}
    r = client.get("/notes/0", **BEARER)
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["path", "index"]
    r = client.get("/notes/9", **BEARER)
    assert r.status_code == 404
    assert r.json() == {"detail": "Note not found"}
    # The teardown saw the HTTPException.
    assert "repo: rolled back (HTTPException(" in capsys.readouterr().out


def test_view_class(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    r = client.post(
        "/cbv/notes",
        data=json.dumps({"text": "read a book"}),
        content_type="application/json",
        **BEARER,
    )
    assert r.status_code == 201
    assert r.json() == {"text": "read a book"}
    out = capsys.readouterr().out
    assert "background: alice added 'read a book'" in out
    # The installed FastAPI's order: background tasks, then the yield
    # dependency's exit since 0.120; the reverse before.
    first, then = ("background:", "repo: committed")
    if TEARDOWN_BEFORE_BACKGROUND:
        first, then = then, first
    assert out.index(first) < out.index(then)
    r = client.get("/cbv/notes?offset=3", **BEARER)
    assert r.json() == ["read a book"]
    assert client.get("/cbv/count", **BEARER).json() == {"user": "alice", "count": 4}
    bad = client.post(
        "/cbv/notes",
        data=json.dumps({"text": ""}),
        content_type="application/json",
        **BEARER,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "text"]


def test_view_async(client: Any) -> None:
    r = client.get("/search?q=bob", **BEARER)
    assert r.json() == {"q": "bob", "found": ["call bob"]}
    assert client.get("/search", **BEARER).status_code == 422


def test_view_async_under_asgi(site: None, capsys: pytest.CaptureFixture[str]) -> None:
    from docs_src.django.asgi import application
    from fastapi.testclient import TestClient

    with TestClient(application) as http:
        assert "lifespan: startup" in capsys.readouterr().out
        r = http.get("/search?q=milk", headers={"Authorization": "Bearer bob-token"})
        assert r.json() == {"q": "milk", "found": []}
        r = http.get("/notes", headers={"Authorization": "Bearer alice-token"})
        assert r.json() == ["buy milk", "call bob"]
    assert "lifespan: shutdown" in capsys.readouterr().out


def test_view_resolve(client: Any) -> None:
    r = client.get("/summary", **BEARER)
    assert r.json() == {"user": "alice", "count": 3, "same": True}
    assert client.get("/asummary", **BEARER).json() == {"user": "alice"}


def test_error_renderer(django_db_blocker: Any) -> None:
    django_env.configure()
    from django.test import Client

    with django_env.django_site(
        django_db_blocker,
        ROOT_URLCONF="docs_src.django.urls",
        FASTAPI_EVERYWHERE={
            "APP": "docs_src.django.api:app",
            "ERROR_RENDERER": "docs_src.django.errors:render",
        },
    ):
        client = Client()
        r = client.get("/notes?limit=0&offset=-1", **BEARER)
        assert r.status_code == 400
        assert r.json() == {
            "error": "invalid input",
            "fields": ["query.offset", "query.limit"],
        }
        # None from the renderer: FastAPI's own response.
        assert client.get("/notes").json() == {"detail": "Not authenticated"}
