from flask import Blueprint

from docs_src.migration.deps import Note, Repo, User
from fastapi_everywhere.flask import with_fastapi_depends

listing = Blueprint("listing", __name__)


@listing.get("/notes")
@with_fastapi_depends(tags=["notes"])
def list_notes(*, repo: Repo, user: User) -> list[Note]:
    """The caller's notes."""
    return repo.list_for(user)
