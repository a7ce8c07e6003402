from typing import Annotated

from fastapi import Depends
from flask import Blueprint

from fastapi_everywhere.flask import (
    AuthenticatedFlaskUser,
    FlaskRequest,
    FlaskUser,
    with_fastapi_depends,
)

bp = Blueprint("notes", __name__)
NOTES = {"alice": ["buy milk"], "bob": ["fix the roof"]}  # stands in for a database


def my_notes(user: AuthenticatedFlaskUser) -> list[str]:  # a plain FastAPI dependency
    return NOTES.get(user.name, [])


def user_agent(request: FlaskRequest) -> str:  # the Flask request itself
    return request.user_agent.string


@bp.get("/notes")
@with_fastapi_depends
def notes(*, notes: Annotated[list[str], Depends(my_notes)]):
    return {"notes": notes}


@bp.get("/whoami")
@with_fastapi_depends
async def whoami(*, user: FlaskUser, agent: Annotated[str, Depends(user_agent)]):
    name = user.name if user.is_authenticated else None
    return {"user": name, "agent": agent}
