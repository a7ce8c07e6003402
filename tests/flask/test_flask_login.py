"""The Flask request and Flask-Login's user as dependencies of Flask views.

A real Flask-Login app (``login_flask``: SQLite users, a real login form),
driven with Flask's test client. (No ``from __future__ import annotations``:
some views annotate with local names.)
"""

import subprocess
import sys
import threading
from typing import Annotated, Any

import click
import pytest
from fastapi import Depends, FastAPI
from flask import Flask
from flask.testing import FlaskClient
from login_flask import tampered

from fastapi_everywhere.flask import (
    AuthenticatedFlaskUser,
    FlaskContextError,
    FlaskRequest,
    FlaskUser,
    flask_request,
    flask_user,
    with_fastapi_depends,
)
from fastapi_everywhere.sync import with_fastapi_depends as sync_depends

NOT_AUTHENTICATED = {"detail": "Not authenticated"}


def _login(client: FlaskClient, name: str = "alice", **form: str) -> None:
    response = client.post(
        "/login", data={"name": name, "password": "wonderland", **form}
    )
    assert response.status_code == 200, response.json


def test_sync_view_gets_the_logged_in_user(make_login_app: Any) -> None:
    app = make_login_app()
    loads = app.extensions["test_loads"]
    with app.test_client() as client:
        anonymous = client.get("/me")
        assert (anonymous.status_code, anonymous.json) == (401, NOT_AUTHENTICATED)
        assert client.get("/whoami").json == {
            "authenticated": False,
            "hello": "hello stranger",
        }
        _login(client)
        loads.threads.clear()
        got = client.get("/me").json
    assert got["name"] == "alice"
    assert got["hello"] == "hello alice"
    assert got["same request"] is True  # FlaskRequest is flask.request's object
    assert got["same user"] is True  # resolve() shares the request's cache
    # One load per request, on the request's thread.
    assert loads.threads == [threading.get_ident()]


def test_async_view_loads_the_user_on_the_request_thread(make_login_app: Any) -> None:
    app = make_login_app()
    loads = app.extensions["test_loads"]
    with app.test_client() as client:
        assert client.get("/ame").status_code == 401
        _login(client)
        loads.threads.clear()
        got = client.get("/ame").json
    assert got == {
        "name": "alice",
        "hello": "hello alice",
        "path": "/ame",
        "body thread": got["body thread"],
    }
    # The body ran on the loop thread; the loader ran on the request's thread.
    assert got["body thread"] != threading.get_ident()
    assert loads.threads == [threading.get_ident()]


def test_logout_and_a_tampered_session_are_anonymous(make_login_app: Any) -> None:
    app = make_login_app()
    with app.test_client() as client:
        _login(client)
        assert client.get("/me").json["name"] == "alice"
        client.post("/logout")
        assert client.get("/me").status_code == 401
        _login(client)
        cookie = client.get_cookie("session")
        assert cookie is not None
        client.set_cookie("session", tampered(cookie.value))
        assert client.get("/me").status_code == 401


def test_remember_me_cookie_logs_in_without_a_session(make_login_app: Any) -> None:
    app = make_login_app()
    with app.test_client() as client:
        _login(client, remember="1")
        client.delete_cookie("session")
        assert client.get("/me").json["name"] == "alice"


def test_login_disabled_lets_anonymous_users_through(make_login_app: Any) -> None:
    app = make_login_app(LOGIN_DISABLED=True)

    @app.get("/disabled")
    @with_fastapi_depends
    def disabled(*, user: AuthenticatedFlaskUser) -> Any:
        return {"authenticated": user.is_authenticated}

    with app.test_client() as client:
        assert client.get("/disabled").json == {"authenticated": False}


def test_user_in_a_yield_dependency_and_a_method_view(make_login_app: Any) -> None:
    from flask.views import MethodView

    app = make_login_app()
    seen: list[str] = []

    def audit(user: AuthenticatedFlaskUser, req: FlaskRequest) -> Any:
        yield
        seen.append(f"{user.name} {req.method} {req.path}")

    class Notes(MethodView):
        @with_fastapi_depends
        def post(self, *, _: Annotated[None, Depends(audit)]) -> Any:
            return {"ok": True}

    app.add_url_rule("/notes", view_func=Notes.as_view("notes"))
    with app.test_client() as client:
        assert client.post("/notes").status_code == 401
        _login(client)
        assert client.post("/notes").json == {"ok": True}
    assert seen == ["alice POST /notes"]


def test_no_login_manager_is_a_clear_error(make_app: Any) -> None:
    app: Flask = make_app(FastAPI(), TESTING=True)  # the error propagates

    @app.get("/me")
    @with_fastapi_depends
    def me(*, user: FlaskUser) -> Any:
        return {}

    with pytest.raises(FlaskContextError, match=r"flask_user: .* no Flask-Login Login"):
        app.test_client().get("/me")


def test_outside_a_request_the_error_names_the_dependency() -> None:
    @sync_depends
    def script(user: FlaskUser) -> Any:
        return user

    @sync_depends
    def other(req: FlaskRequest) -> Any:
        return req

    with pytest.raises(FlaskContextError, match=r"flask\.flask_user: no Flask request"):
        script()
    with pytest.raises(
        FlaskContextError, match=r"flask_request: .*dependency_overrides"
    ):
        other()


def test_overrides_replace_the_user_outside_a_request() -> None:
    api = FastAPI()
    robot = object()
    api.dependency_overrides[flask_user] = lambda: robot

    @sync_depends(app=api)
    def script(user: FlaskUser) -> Any:
        return user

    assert script() is robot


def test_in_a_flask_command_the_user_must_be_overridden(make_login_app: Any) -> None:
    api = FastAPI()
    app = make_login_app(api)

    @app.cli.command("whoami")
    @with_fastapi_depends
    def whoami(*, user: FlaskUser, req: FlaskRequest) -> None:
        click.echo(user)

    result = app.test_cli_runner().invoke(args=["whoami"])
    assert isinstance(result.exception, FlaskContextError)
    assert "flask_user" in str(result.exception) or "flask_request" in str(
        result.exception
    )
    api.dependency_overrides[flask_user] = lambda: "cron"
    api.dependency_overrides[flask_request] = lambda: None
    result = app.test_cli_runner().invoke(args=["whoami"])
    assert result.output == "cron\n"


def test_importing_the_adapter_does_not_import_flask_login() -> None:
    code = (
        "import sys, fastapi_everywhere.flask; "
        "assert 'flask_login' not in sys.modules; "
        "assert 'a2wsgi' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_example_session_login(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("FASTAPI_EVERYWHERE_DEMO_DB", str(tmp_path / "demo.db"))
    from example_flask import create_app

    app = create_app({"TESTING": True})
    try:
        with app.test_client() as client:
            assert client.get("/session/notes").status_code == 401
            bad = client.post("/session/login", data={"token": "nope"})
            assert bad.status_code == 401
            client.post("/session/login", data={"token": "alice-token"})
            bearer = {"Authorization": "Bearer alice-token"}
            with client.post("/notes", json={"text": "hi"}, headers=bearer):
                pass  # closed: its teardown commits
            assert client.get("/session/notes").json == ["hi"]
    finally:
        app.extensions["fastapi_everywhere"].close_lifespan()
