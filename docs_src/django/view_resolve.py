from django.db import transaction
from django.http import HttpRequest, JsonResponse

from fastapi_everywhere.django import aresolve, resolve

from .deps import CurrentUser, Repo


def summary(request: HttpRequest) -> JsonResponse:  # not decorated
    user = resolve(request, CurrentUser)
    repo = resolve(request, Repo)  # the request's cache: one repo per request
    same = resolve(request, Repo) is repo
    return JsonResponse({"user": user, "count": len(repo.list_for(user)), "same": same})


@transaction.non_atomic_requests
async def asummary(request: HttpRequest) -> JsonResponse:
    user = await aresolve(request, CurrentUser)
    return JsonResponse({"user": user})
