from django.http import HttpRequest, JsonResponse
from fastapi import Response

from fastapi_everywhere.django import with_fastapi_depends

from .deps import CurrentUser, Page, Repo


@with_fastapi_depends
def list_notes(
    request: HttpRequest,
    *,
    user: CurrentUser,
    repo: Repo,
    page: Page,
    response: Response,
) -> JsonResponse:
    notes = repo.list_for(user)
    response.headers["X-Total-Count"] = str(len(notes))  # set on Django's response
    return JsonResponse(page.slice(notes), safe=False)
