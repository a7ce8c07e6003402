from django.http import HttpRequest, JsonResponse

from fastapi_everywhere.django import with_fastapi_depends

from .deps import ClientIp, CurrentName


@with_fastapi_depends
def me(request: HttpRequest, *, name: CurrentName, ip: ClientIp) -> JsonResponse:
    return JsonResponse({"user": name, "ip": ip})
