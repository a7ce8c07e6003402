"""A real Flask-Login app on SQLite, for the user-dependency tests.

``make_login_app(db_path, api)`` builds a Flask app with a ``users`` table,
a ``LoginManager`` whose ``user_loader`` queries SQLite (one connection per
call, recording the thread it ran on and counting its calls), a real
``/login`` form route, and protected routes using the library's
dependencies: sync and ``async def``.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from flask import Flask, request
from flask_login import LoginManager, UserMixin, login_user, logout_user

from fastapi_everywhere.flask import (
    AuthenticatedFlaskUser,
    FastAPIDepends,
    FlaskRequest,
    FlaskUser,
    resolve,
    with_fastapi_depends,
)

USERS = {"alice": "wonderland", "bob": "builder"}


class User(UserMixin):
    def __init__(self, user_id: int, name: str) -> None:
        self.id = user_id
        self.name = name


class Loads:
    """What the user loader saw: its calls' threads."""

    def __init__(self) -> None:
        self.threads: list[int] = []


def tampered(cookie: str) -> str:
    """``cookie`` with the first character of its signature changed.

    The signature's last base64 character carries two padding bits a decoder
    ignores, so changing the end of the cookie can leave it valid.
    """
    payload, dot, signature = cookie.rpartition(".")
    first = "A" if signature[0] != "A" else "B"
    return payload + dot + first + signature[1:]


def greeting(user: FlaskUser) -> str:
    """A plain FastAPI dependency built on the Flask user."""
    return f"hello {user.name}" if user.is_authenticated else "hello stranger"


def _create_db(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS users "
            "(id INTEGER PRIMARY KEY, name TEXT UNIQUE, password TEXT)"
        )
        db.executemany(
            "INSERT OR IGNORE INTO users (name, password) VALUES (?, ?)",
            USERS.items(),
        )


def make_login_app(db_path: Path, api: FastAPI, **config: Any) -> Flask:
    """The Flask app, its loader's record in ``app.extensions["test_loads"]``."""
    _create_db(db_path)
    app = Flask(f"login_{db_path.stem}")
    app.config.update({"SECRET_KEY": "test secret", **config})
    FastAPIDepends(app, fastapi_app=api)
    manager = LoginManager(app)
    loads = app.extensions["test_loads"] = Loads()

    def query(sql: str, *args: Any) -> tuple[Any, ...] | None:
        with sqlite3.connect(db_path) as db:
            row: tuple[Any, ...] | None = db.execute(sql, args).fetchone()
        return row

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        loads.threads.append(threading.get_ident())
        row = query("SELECT id, name FROM users WHERE id = ?", int(user_id))
        return None if row is None else User(*row)

    @app.post("/login")
    def login() -> Any:
        name = request.form.get("name", "")
        row = query(
            "SELECT id, name FROM users WHERE name = ? AND password = ?",
            name,
            request.form.get("password", ""),
        )
        if row is None:
            return {"error": "bad credentials"}, 400
        login_user(User(*row), remember=request.form.get("remember") == "1")
        return {"logged in": name}

    @app.post("/logout")
    def logout() -> Any:
        logout_user()
        return {"logged out": True}

    @app.get("/me")
    @with_fastapi_depends
    def me(
        *,
        user: AuthenticatedFlaskUser,
        hello: Annotated[str, Depends(greeting)],
        flask_request: FlaskRequest,
    ) -> Any:
        return {
            "name": user.name,
            "hello": hello,
            "same request": flask_request is request._get_current_object(),  # type: ignore[attr-defined]
            "same user": resolve(FlaskUser) is user,
            "thread": threading.get_ident(),
        }

    @app.get("/ame")
    @with_fastapi_depends
    async def ame(
        *,
        user: AuthenticatedFlaskUser,
        hello: Annotated[str, Depends(greeting)],
        flask_request: FlaskRequest,
    ) -> Any:
        return {
            "name": user.name,
            "hello": hello,
            "path": flask_request.path,
            "body thread": threading.get_ident(),
        }

    @app.get("/whoami")
    @with_fastapi_depends
    def whoami(*, user: FlaskUser, hello: Annotated[str, Depends(greeting)]) -> Any:
        return {"authenticated": user.is_authenticated, "hello": hello}

    return app
