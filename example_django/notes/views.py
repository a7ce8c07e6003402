"""The example's views: Django views whose service layer is FastAPI deps.

The same ``CurrentUser``, ``Repo`` and ``Pagination`` dependencies serve the
FastAPI app of ``demo/app.py``; here they are read from the Django request.
"""

import csv
import io
from collections.abc import Iterator
from typing import Annotated

from demo.deps import CurrentUser, Note, Pagination, Repo
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from fastapi import BackgroundTasks, Body, HTTPException, Path, Response
from pydantic import BaseModel, Field

from fastapi_everywhere.django import with_fastapi_depends

from .deps import Logged
from .models import Activity


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


def _note(note: Note) -> dict[str, object]:
    return {"id": note.id, "author": note.author, "text": note.text}


@method_decorator(csrf_exempt, name="dispatch")  # a bearer-token API
class NotesView(View):
    """``GET /notes/`` (paginated) and ``POST /notes/`` for the token's user."""

    @method_decorator(with_fastapi_depends)
    def get(
        self,
        request: HttpRequest,
        *,
        user: CurrentUser,
        repo: Repo,
        page: Pagination,
        response: Response,
        _logged: Logged,
    ) -> JsonResponse:
        notes = repo.list_for(user)
        response.headers["X-Total-Count"] = str(len(notes))
        return JsonResponse([_note(n) for n in page.slice(notes)], safe=False)

    @with_fastapi_depends
    def post(
        self,
        request: HttpRequest,
        *,
        body: Annotated[NoteIn, Body()],
        user: CurrentUser,
        repo: Repo,
        tasks: BackgroundTasks,
        _logged: Logged,
    ) -> JsonResponse:
        note = repo.add(user, body.text)
        # Runs after the response was sent, before the DB connection closes.
        tasks.add_task(print, f"note #{note.id} created by {user.name}")
        return JsonResponse(_note(note), status=201)


# Django refuses ATOMIC_REQUESTS around async views: this one opts out.
@transaction.non_atomic_requests
@with_fastapi_depends
async def note_detail(
    request: HttpRequest,
    note_id: Annotated[int, Path(ge=1)],
    *,
    user: CurrentUser,
    repo: Repo,
    _logged: Logged,
) -> JsonResponse:
    """``GET /notes/<id>/``: an async view; its sync deps keep to the request thread."""
    for note in repo.list_for(user):
        if note.id == note_id:
            return JsonResponse(_note(note))
    raise HTTPException(status_code=404, detail="Note not found")


@with_fastapi_depends
def export_notes(
    request: HttpRequest, *, user: CurrentUser, repo: Repo
) -> StreamingHttpResponse:
    """``GET /notes/export.csv``: streamed; the DB closes after the last row."""

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["id", "author", "text"])
        for note in repo.list_for(user):  # the connection is still open here
            writer.writerow([note.id, note.author, note.text])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    return StreamingHttpResponse(rows(), content_type="text/csv")


@with_fastapi_depends
def activity(request: HttpRequest, *, user: CurrentUser) -> HttpResponse:
    """``GET /activity/``: the user's activity log, read through the ORM."""
    entries = Activity.objects.filter(user=user.name).values_list("action", flat=True)
    return JsonResponse(list(entries), safe=False)
