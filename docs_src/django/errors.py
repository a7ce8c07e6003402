from django.http import HttpRequest, HttpResponse, JsonResponse
from fastapi.exceptions import RequestValidationError


# FASTAPI_EVERYWHERE = {"ERROR_RENDERER": "myproject.errors:render"}
def render(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    if isinstance(exc, RequestValidationError):
        fields = [".".join(str(part) for part in e["loc"]) for e in exc.errors()]
        return JsonResponse({"error": "invalid input", "fields": fields}, status=400)
    return None  # the default: FastAPI's response, or Django's handling
