from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from fastapi import FastAPI

from docs_src.migration.deps import Note, Repo, User, lifespan
from fastapi_everywhere.django import with_fastapi_depends
from fastapi_everywhere.django.asgi import get_asgi_application

api = FastAPI(title="Notes API", lifespan=lifespan)


@api.get("/notes", tags=["notes"])  # served at /api/notes
def list_notes(repo: Repo, user: User) -> list[Note]:
    """The caller's notes."""
    return repo.list_for(user)


@with_fastapi_depends
def add_note(request: HttpRequest, *, repo: Repo, user: User) -> JsonResponse:
    """A Django view still to move."""
    note = repo.add(user, request.GET["text"])
    return JsonResponse(note.model_dump(), status=201)


urlpatterns = [path("notes/add", add_note)]  # the project's URLconf


def asgi_application() -> Any:
    """What the project's asgi.py serves: `application = asgi_application()`."""
    return get_asgi_application(mount={"/api": api})
