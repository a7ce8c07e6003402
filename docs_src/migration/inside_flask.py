from fastapi import FastAPI

from docs_src.migration.deps import Note, Repo, User, lifespan
from docs_src.migration.legacy_flask import create_app
from fastapi_everywhere.flask import mount_fastapi

api = FastAPI(title="Notes API", lifespan=lifespan)


@api.get("/notes", tags=["notes"])  # served at /api/notes
def list_notes(repo: Repo, user: User) -> list[Note]:
    """The caller's notes."""
    return repo.list_for(user)


flask_app = create_app(api)  # still what gunicorn serves
mount_fastapi(flask_app, "/api", api)
