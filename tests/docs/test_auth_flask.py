"""docs/auth_flask.md: Flask-Login's user in Flask views and FastAPI routes."""

from __future__ import annotations

from collections.abc import Iterator

import docs_src.auth_flask.csrf as csrf
import docs_src.auth_flask.mixed as mixed
import docs_src.auth_flask.outside as outside
import pytest
from docs_src.auth_flask.legacy import USERS, flask_app
from fastapi import FastAPI
from fastapi.testclient import TestClient
from flask import Flask

from fastapi_everywhere.flask import FlaskContextError


@pytest.fixture
def app() -> Iterator[Flask]:
    yield flask_app
    flask_app.extensions["fastapi_everywhere"].close_lifespan()


def test_views_flask_user(app: Flask) -> None:
    client = app.test_client()
    r = client.get("/notes")
    assert r.status_code == 401
    assert r.get_json() == {"detail": "Not authenticated"}
    assert client.get("/whoami", headers={"User-Agent": "docs/1.0"}).get_json() == {
        "user": None,
        "agent": "docs/1.0",
    }
    bad = client.post("/login", data={"name": "alice", "password": "nope"})
    assert bad.status_code == 401
    assert client.post(
        "/login", data={"name": "alice", "password": "wonderland"}
    ).get_json() == {"user": "alice"}
    assert client.get("/notes").get_json() == {"notes": ["buy milk"]}
    assert client.get("/whoami", headers={"User-Agent": "docs/1.0"}).get_json() == {
        "user": "alice",
        "agent": "docs/1.0",
    }
    client.post("/logout")
    assert client.get("/notes").status_code == 401


def test_views_are_the_page_views(app: Flask) -> None:
    from docs_src.auth_flask.views import notes, whoami

    assert app.view_functions["notes.notes"] is notes
    assert app.view_functions["notes.whoami"] is whoami


def test_outside_a_request() -> None:
    with pytest.raises(
        FlaskContextError, match=r"fastapi_everywhere\.flask\.flask_user"
    ):
        outside.nightly_report()
    assert outside.run_report_as(USERS["2"]) == "report for bob"
    assert outside.api.dependency_overrides == {}


def test_mixed_same_login(app: Flask) -> None:
    with TestClient(mixed.api) as http:
        assert http.get("/api/whoami").json() == {"user": None}
        r = http.get("/api/notes")
        assert r.status_code == 401
        assert r.json() == {"detail": "Not authenticated"}
        r = http.post("/legacy/login", data={"name": "bob", "password": "builder"})
        assert r.json() == {"user": "bob"}
        assert http.get("/api/whoami").json() == {"user": "bob"}
        assert http.get("/api/notes").json() == {"notes": ["fix the roof"]}
        # The Flask side sees the same login, through the mount.
        assert http.get("/legacy/notes").json() == {"notes": ["fix the roof"]}
        http.cookies.clear()
        http.cookies.set("session", "tampered")
        assert http.get("/api/whoami").json() == {"user": None}


def test_mixed_override() -> None:
    from fastapi_everywhere.flask import flask_login_user

    base = flask_login_user(flask_app)
    mixed.api.dependency_overrides[base] = lambda: USERS["1"]
    try:
        with TestClient(mixed.api) as http:
            assert http.get("/api/notes").json() == {"notes": ["buy milk"]}
    finally:
        mixed.api.dependency_overrides.clear()


def test_csrf_same_origin() -> None:
    api = FastAPI()
    api.include_router(csrf.moved)
    with TestClient(api) as http:
        r = http.post("/api/notes", headers={"Origin": "https://evil.example"})
        assert r.status_code == 403
        assert r.json() == {"detail": "CSRF check failed: untrusted origin"}
        assert http.post("/api/notes").status_code == 403  # neither header
        ok = http.post("/api/notes", headers={"Origin": "https://app.example.com"})
        assert ok.json() == {"added": True}
        via_referer = http.post(
            "/api/notes", headers={"Referer": "https://app.example.com/notes/1"}
        )
        assert via_referer.json() == {"added": True}
