"""The Django request and user as dependencies; Django's login in FastAPI routes.

``DjangoUser`` in plain Django views (sync under WSGI, async under ASGI: the
lazy user is loaded on the request's thread, never on the loop), outside a
Django request (a clear error, or an override), and ``SessionUser`` /
``check_django_csrf`` in FastAPI routes fed Django's own session cookie.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.middleware.csrf import get_token
from django.test import AsyncClient, Client, RequestFactory
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from fastapi_everywhere import ScopeError
from fastapi_everywhere.django import (
    DjangoRequest,
    DjangoUser,
    LoggedInSessionUser,
    SessionUser,
    check_django_csrf,
    django_user,
)
from fastapi_everywhere.sync import with_fastapi_depends as sync_depends


@pytest.fixture
def bob() -> Any:
    user = User.objects.create_user("bob", password="pw-bob")
    yield user
    user.delete()


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- DjangoUser in Django views ---------------------------------------------------


def test_user_in_a_sync_view(bob: Any) -> None:
    assert _logged_in(bob).get("/plain-who").json() == {"user": "bob", "auth": True}
    assert Client().get("/plain-who").json() == {"user": "AnonymousUser", "auth": False}


def test_user_in_an_async_view_under_wsgi(bob: Any) -> None:
    r = _logged_in(bob).get("/aplain-who")
    assert r.json() == {"user": "bob", "auth": True, "same": True}


async def test_user_in_an_async_view_under_asgi(bob: Any) -> None:
    # On the event loop the lazy user would raise SynchronousOnlyOperation.
    from asgiref.sync import sync_to_async

    cookies = (await sync_to_async(_logged_in)(bob)).cookies
    client = AsyncClient()
    client.cookies = cookies
    r = await client.get("/aplain-who")
    assert r.status_code == 200, r.content
    assert r.json() == {"user": "bob", "auth": True, "same": True}


def test_user_without_auth_middleware_is_a_clear_error() -> None:
    from fastapi_everywhere.django import resolve

    request = RequestFactory().get("/")
    from fastapi_everywhere.django._state import attach

    attach(request, managed=False)
    with pytest.raises(ScopeError, match="django_user: the Django request has no user"):
        resolve(request, DjangoUser)
    assert resolve(request, DjangoRequest) is request


# -- outside a Django request ---------------------------------------------------


def test_outside_a_django_request_names_the_dependency() -> None:
    @sync_depends
    def job(*, user: DjangoUser) -> Any:
        return user

    with pytest.raises(ScopeError, match="django_user: no Django request"):
        job()

    @sync_depends
    def other(*, request: DjangoRequest) -> Any:
        return request

    with pytest.raises(ScopeError, match="django_request: no Django request"):
        other()


def test_user_overridden_outside_a_request() -> None:
    app = FastAPI()
    app.dependency_overrides[django_user] = lambda: "celery-bot"

    @sync_depends(app=app)
    def job(*, user: DjangoUser) -> Any:
        return user

    assert job() == "celery-bot"


# -- Django's session login in FastAPI routes -------------------------------------


def _api() -> FastAPI:
    api = FastAPI()

    @api.get("/me")
    def me(user: SessionUser) -> dict[str, Any]:
        return {"user": str(user), "auth": user.is_authenticated}

    @api.get("/private")
    def private(user: LoggedInSessionUser) -> dict[str, Any]:
        return {"user": user.username}

    @api.post("/notes", dependencies=[Depends(check_django_csrf)])
    def add(user: LoggedInSessionUser) -> dict[str, Any]:
        return {"by": user.username}

    return api


def test_session_user_in_a_fastapi_route(bob: Any) -> None:
    session = _logged_in(bob).cookies["sessionid"].value
    with TestClient(_api()) as client:
        assert client.get("/me").json() == {"user": "AnonymousUser", "auth": False}
        assert client.get("/private").status_code == 401
        client.cookies.set("sessionid", session)
        assert client.get("/me").json() == {"user": "bob", "auth": True}
        assert client.get("/private").json() == {"user": "bob"}


def test_a_changed_password_logs_out_everywhere(bob: Any) -> None:
    session = _logged_in(bob).cookies["sessionid"].value
    bob.set_password("new")
    bob.save()
    with TestClient(_api(), cookies={"sessionid": session}) as client:
        r = client.get("/me")
        assert r.json() == {"user": "AnonymousUser", "auth": False}
        assert 'sessionid=""' in r.headers["set-cookie"]  # deleted, as Django does


def test_garbage_session_cookie_is_anonymous() -> None:
    with TestClient(_api(), cookies={"sessionid": "nope"}) as client:
        assert client.get("/me").json()["auth"] is False


def test_csrf_check_for_unsafe_methods(bob: Any) -> None:
    session = _logged_in(bob).cookies["sessionid"].value
    token = get_token(RequestFactory().get("/"))
    with TestClient(_api(), cookies={"sessionid": session}) as client:
        r = client.post("/notes")
        assert r.status_code == 403
        assert r.json()["detail"].startswith("CSRF verification failed: CSRF cookie")
        client.cookies.set("csrftoken", token)
        r = client.post("/notes")
        assert r.status_code == 403
        assert "CSRF token" in r.json()["detail"]
        r = client.post("/notes", headers={"X-CSRFToken": "x" * 32})
        assert r.status_code == 403
        assert client.post("/notes", headers={"X-CSRFToken": token}).json() == {
            "by": "bob"
        }
        form = client.post("/notes", data={"csrfmiddlewaretoken": token})
        assert form.json() == {"by": "bob"}
        # Another site's form: Django's Origin check.
        r = client.post(
            "/notes", headers={"X-CSRFToken": token, "Origin": "https://evil.example"}
        )
        assert r.status_code == 403
        assert "Origin checking failed" in r.json()["detail"]
