from typing import Annotated

from django.http import HttpRequest, JsonResponse
from fastapi import HTTPException, Path

from fastapi_everywhere.django import with_fastapi_depends

from .deps import CurrentUser, Repo


# urls.py: path("notes/<int:index>", get_note)
@with_fastapi_depends
def get_note(
    request: HttpRequest,
    index: Annotated[int, Path(ge=1)],  # the URL kwarg, validated by FastAPI
    *,
    user: CurrentUser,
    repo: Repo,
) -> JsonResponse:
    notes = repo.list_for(user)
    if index > len(notes):
        raise HTTPException(status_code=404, detail="Note not found")
    return JsonResponse({"index": index, "text": notes[index - 1]})
