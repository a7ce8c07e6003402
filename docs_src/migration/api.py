from fastapi import FastAPI

from docs_src.migration.deps import Note, Repo, User, lifespan
from docs_src.migration.legacy_flask import create_app
from fastapi_everywhere.flask import mount

api = FastAPI(title="Notes", lifespan=lifespan)  # uvicorn docs_src.migration.api:api


# Moved from Flask: the same URL and signature, above the mount, so it wins.
@api.get("/shop/notes", tags=["notes"])
def list_notes(repo: Repo, user: User) -> list[Note]:
    """The caller's notes."""
    return repo.list_for(user)


mount(api, "/shop", create_app(api))  # everything else: the Flask app
