"""Session login with Flask-Login: the ``session`` blueprint (optional).

``POST /session/login`` (form field ``token``) logs the token's user in with
Flask-Login; ``GET /session/notes`` lists their notes through the library's
``AuthenticatedFlaskUser`` dependency and the same ``Repo`` the bearer-token
routes use. Registered only when Flask-Login is installed.
"""

from __future__ import annotations

from typing import Any

from demo.deps import USERS, Repo, User
from flask import Blueprint, Flask, request
from flask_login import LoginManager, UserMixin, login_user

from fastapi_everywhere.flask import AuthenticatedFlaskUser, with_fastapi_depends

bp = Blueprint("session", __name__, url_prefix="/session")


class SessionUser(User, UserMixin):
    def get_id(self) -> str:
        return self.name


def _load(name: str) -> SessionUser | None:
    return SessionUser(name) if name in USERS else None


@bp.post("/login")
@with_fastapi_depends
def login(*, repo: Repo) -> Any:
    user = repo.user_for_token(request.form.get("token", ""))
    if user is None:
        return {"detail": "Unknown token"}, 401
    login_user(SessionUser(user.name))
    return {"logged in": user.name}


@bp.get("/notes")
@with_fastapi_depends
def my_notes(*, user: AuthenticatedFlaskUser, repo: Repo) -> Any:
    return [note.text for note in repo.list_for(user)]


def init_session_login(app: Flask) -> None:
    """Register Flask-Login and the blueprint on ``app``."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = "example only: set FLASK_SECRET_KEY"
    LoginManager(app).user_loader(_load)
    app.register_blueprint(bp)
