from typing import Annotated

from fastapi import Body, Depends, FastAPI

from fastapi_everywhere.django import (
    LoggedInSessionUser,
    SessionUser,
    check_django_csrf,
)

api = FastAPI()  # serves the site, with the Django project mounted under it


@api.get("/api/me")
def me(user: SessionUser):  # a user, or AnonymousUser
    return {"user": user.get_username() if user.is_authenticated else None}


@api.post("/api/notes", dependencies=[Depends(check_django_csrf)])
def add_note(text: Annotated[str, Body(embed=True)], user: LoggedInSessionUser):
    return {"by": user.get_username(), "text": text}  # 401 without a login
