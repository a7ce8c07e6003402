# views.py and urls.py of a Django app
from django.http import HttpRequest, JsonResponse
from django.urls import path

from fastapi_everywhere.django import with_fastapi_depends

from .deps import CurrentUser, SettingsDep


@with_fastapi_depends
def me(request: HttpRequest, *, user: CurrentUser, config: SettingsDep) -> JsonResponse:
    return JsonResponse({"message": f"{config.greeting}, {user}"})


urlpatterns = [path("me", me)]
