"""The same Flask-Login user in FastAPI routes of the mixed app.

The Flask-Login app of ``login_flask`` is mounted under a FastAPI app
(``fastapi_everywhere.flask.mount``); a user logs in through the real Flask
login route and FastAPI routes of the same app see the same user, through
``flask_login_user(flask_app)``.
"""

import threading
from importlib.metadata import version
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, WebSocket
from fastapi.testclient import TestClient
from flask import Flask
from login_flask import tampered

from fastapi_everywhere.flask import flask_login_user, mount

NEW_FLASK = tuple(int(p) for p in version("flask").split(".")[:2]) >= (3, 1)


def _mixed(make_login_app: Any, **config: Any) -> tuple[FastAPI, Flask, list[int]]:
    """The FastAPI app with the Flask app under /legacy; the loop's thread ids."""
    api = FastAPI()
    flask_app = make_login_app(api, **config)
    mount(api, "/legacy", flask_app)
    CurrentUser = Annotated[Any, Depends(flask_login_user(flask_app, required=True))]
    MaybeUser = Annotated[Any, Depends(flask_login_user(flask_app))]
    loop_threads: list[int] = []

    @api.get("/api/me")
    async def me(user: CurrentUser, again: MaybeUser) -> Any:
        loop_threads.append(threading.get_ident())
        return {"name": user.name, "cached": again is user}

    @api.get("/api/required")
    def required(user: CurrentUser) -> Any:
        return {"authenticated": user.is_authenticated}

    @api.get("/api/whoami")
    def whoami(user: MaybeUser) -> Any:
        return {"authenticated": user.is_authenticated}

    @api.websocket("/api/ws")
    async def ws(websocket: WebSocket, user: MaybeUser) -> None:
        await websocket.accept()
        await websocket.send_json({"authenticated": user.is_authenticated})
        await websocket.close()

    return api, flask_app, loop_threads


def _login(client: TestClient, **form: str) -> None:
    response = client.post(
        "/legacy/login", data={"name": "alice", "password": "wonderland", **form}
    )
    assert response.json() == {"logged in": "alice"}


def test_a_flask_login_is_a_fastapi_login(make_login_app: Any) -> None:
    api, flask_app, loop_threads = _mixed(make_login_app)
    loads = flask_app.extensions["test_loads"]
    with TestClient(api) as client:
        anonymous = client.get("/api/me")
        assert (anonymous.status_code, anonymous.json()) == (
            401,
            {"detail": "Not authenticated"},
        )
        assert client.get("/api/whoami").json() == {"authenticated": False}
        _login(client)
        assert client.get("/legacy/me").json()["name"] == "alice"
        loads.threads.clear()
        assert client.get("/api/me").json() == {"name": "alice", "cached": True}
        assert client.get("/api/whoami").json() == {"authenticated": True}
        with client.websocket_connect("/api/ws") as ws:
            assert ws.receive_json() == {"authenticated": True}
        client.post("/legacy/logout")
        assert client.get("/api/me").status_code == 401
    # One load per FastAPI request (3) and by Flask's logout_user, never on
    # the event loop's thread.
    assert len(loads.threads) == 4
    assert not set(loads.threads) & set(loop_threads)


def test_a_tampered_or_foreign_cookie_is_rejected(make_login_app: Any) -> None:
    api, _, _ = _mixed(make_login_app)
    with TestClient(api) as client:
        _login(client)
        cookie = client.cookies["session"]
        client.cookies.clear()
        client.cookies.set("session", tampered(cookie))
        assert client.get("/api/me").status_code == 401
        assert client.get("/legacy/me").status_code == 401
    # A cookie signed with another app's key.
    other_api, _, _ = _mixed(make_login_app, SECRET_KEY="another key")
    with TestClient(other_api) as other:
        other.cookies.set("session", cookie)
        assert other.get("/api/me").status_code == 401


def test_remember_me_cookie_works_in_fastapi_routes(make_login_app: Any) -> None:
    api, _, _ = _mixed(make_login_app)
    with TestClient(api) as client:
        _login(client, remember="1")
        del client.cookies["session"]
        assert client.get("/api/me").json()["name"] == "alice"


def test_the_session_cookie_name_is_the_flask_apps(make_login_app: Any) -> None:
    api, _, _ = _mixed(make_login_app, SESSION_COOKIE_NAME="legacy_session")
    with TestClient(api) as client:
        _login(client)
        assert "legacy_session" in client.cookies
        assert client.get("/api/me").json()["name"] == "alice"


@pytest.mark.skipif(not NEW_FLASK, reason="SECRET_KEY_FALLBACKS is Flask >= 3.1")
def test_rotated_secret_keys_still_log_in(make_login_app: Any) -> None:
    api, flask_app, _ = _mixed(make_login_app)
    with TestClient(api) as client:
        _login(client)
        flask_app.config.update(
            SECRET_KEY="the new key", SECRET_KEY_FALLBACKS=["test secret"]
        )
        assert client.get("/api/me").json()["name"] == "alice"
        flask_app.config["SECRET_KEY_FALLBACKS"] = []
        assert client.get("/api/me").status_code == 401


def test_one_dependency_per_app_and_overrides(make_login_app: Any) -> None:
    api, flask_app, _ = _mixed(make_login_app)
    assert flask_login_user(flask_app) is flask_login_user(flask_app)
    assert flask_login_user(flask_app, required=True) is not flask_login_user(flask_app)
    assert "flask_login_user" in flask_login_user(flask_app).__name__

    class Robot:
        name = "robot"
        is_authenticated = True

    api.dependency_overrides[flask_login_user(flask_app)] = Robot
    with TestClient(api) as client:
        # The required variant depends on the overridden one: one robot.
        assert client.get("/api/me").json() == {"name": "robot", "cached": True}


def test_login_disabled_and_bad_arguments(make_login_app: Any) -> None:
    api, flask_app, _ = _mixed(make_login_app, LOGIN_DISABLED=True)
    with TestClient(api) as client:
        assert client.get("/api/required").json() == {"authenticated": False}
    with pytest.raises(TypeError, match=r"flask_login_user: flask_app must be"):
        flask_login_user(api)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"flask_login_user: required must be"):
        flask_login_user(flask_app, required="yes")  # type: ignore[arg-type]


def test_strong_session_protection_sees_the_same_client(make_login_app: Any) -> None:
    api, flask_app, _ = _mixed(make_login_app)
    flask_app.login_manager.session_protection = "strong"  # type: ignore[attr-defined]
    with TestClient(api) as client:
        _login(client)
        # The FastAPI route's environ is the mounted app's: same identifier.
        assert client.get("/api/me").json()["name"] == "alice"
        stolen = client.get("/api/me", headers={"User-Agent": "another browser"})
        assert stolen.status_code == 401
