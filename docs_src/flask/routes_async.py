from typing import Annotated

from fastapi import Query
from flask import Blueprint

from fastapi_everywhere.flask import with_fastapi_depends

from .deps import CurrentUser, Repo

bp = Blueprint("search", __name__)


@bp.get("/search")
@with_fastapi_depends
async def search_notes(
    *, q: Annotated[str, Query(min_length=1)], user: CurrentUser, repo: Repo
):
    found = [text for text in repo.list_for(user) if q in text]
    return {"q": q, "found": found}
