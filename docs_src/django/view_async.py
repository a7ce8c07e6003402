from typing import Annotated

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from fastapi import Query

from fastapi_everywhere.django import with_fastapi_depends

from .deps import CurrentUser, Repo


@transaction.non_atomic_requests  # Django refuses ATOMIC_REQUESTS on async views
@with_fastapi_depends
async def search_notes(
    request: HttpRequest,
    *,
    q: Annotated[str, Query(min_length=1)],
    user: CurrentUser,
    repo: Repo,
) -> JsonResponse:
    found = [text for text in repo.list_for(user) if q in text]
    return JsonResponse({"q": q, "found": found})
