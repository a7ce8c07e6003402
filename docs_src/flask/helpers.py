from flask import Blueprint

from fastapi_everywhere.flask import resolve

from .deps import CurrentUser, Repo

bp = Blueprint("helpers", __name__)


def note_count() -> int:  # e.g. a Jinja global, or a helper of a view
    user = resolve(CurrentUser)  # the very user the view got
    return len(resolve(Repo).list_for(user))


@bp.get("/count")
def count():  # not decorated: resolve() works in any request
    return {"count": note_count()}
