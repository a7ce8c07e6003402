from typing import Annotated

from fastapi import Depends, FastAPI

from fastapi_everywhere.flask import flask_login_user, mount

from .legacy import User, flask_app
from .views import NOTES

api = FastAPI()
mount(api, "/legacy", flask_app)  # users log in at /legacy/login

CurrentUser = Annotated[User, Depends(flask_login_user(flask_app, required=True))]
MaybeUser = Annotated[User, Depends(flask_login_user(flask_app))]  # or anonymous


@api.get("/api/notes")
def notes(user: CurrentUser) -> dict[str, list[str]]:
    return {"notes": NOTES.get(user.name, [])}


@api.get("/api/whoami")
def whoami(user: MaybeUser) -> dict[str, str | None]:
    return {"user": user.name if user.is_authenticated else None}
